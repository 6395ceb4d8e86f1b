"""Registers T5 with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import T5OnnxConfig

FEATURES = ("default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """T5 exports the four features transformers.onnx listed for it."""
    register("t5", T5OnnxConfig, FEATURES)
