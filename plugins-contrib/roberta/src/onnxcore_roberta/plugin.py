"""Registers RoBERTa with onnxcore, with BERT's features. Imports nothing heavy: only config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar
from onnxcore_bert.plugin import FEATURES

from .config import RobertaOnnxConfig


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """RoBERTa exports the features BERT does (transformers.onnx listed the same seven)."""
    register("roberta", RobertaOnnxConfig, FEATURES)
