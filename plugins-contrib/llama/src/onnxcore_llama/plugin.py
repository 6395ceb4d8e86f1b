"""Registers Llama, Mistral and Qwen2 with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import LlamaOnnxConfig

MODEL_TYPES = ("llama", "mistral", "qwen2")
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
    """The decoder features for each Llama-family model type (the same contract)."""
    for model_type in MODEL_TYPES:
        register(model_type, LlamaOnnxConfig, FEATURES)
