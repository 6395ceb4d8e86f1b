"""Registers ERNIE with onnxcore, with BERT's features. Imports nothing heavy: only config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar
from onnxcore_bert.plugin import FEATURES

from .config import ErnieOnnxConfig


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """ERNIE exports the features BERT does: transformers has the same seven heads for it."""
    register("ernie", ErnieOnnxConfig, FEATURES)
