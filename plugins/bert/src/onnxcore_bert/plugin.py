"""Registers BERT with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import BertOnnxConfig

FEATURES = (
    "default",
    "masked-lm",
    "causal-lm",
    "sequence-classification",
    "multiple-choice",
    "token-classification",
    "question-answering",
)


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """BERT exports the seven features transformers.onnx listed for it."""
    register("bert", BertOnnxConfig, FEATURES)
