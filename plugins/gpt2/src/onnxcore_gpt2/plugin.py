"""Registers GPT-2 with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import GPT2OnnxConfig

FEATURES = (
    "default",
    "default-with-past",
    "causal-lm",
    "causal-lm-with-past",
    "sequence-classification",
    "token-classification",
)


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """GPT-2 exports the six features transformers.onnx listed for it."""
    register("gpt2", GPT2OnnxConfig, FEATURES)
