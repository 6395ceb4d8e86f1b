"""Registers the T5 family with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import MT5OnnxConfig, T5OnnxConfig

FEATURES = ("default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """T5, mT5 and LongT5 export the four features transformers.onnx listed for each."""
    register("t5", T5OnnxConfig, FEATURES)
    register("mt5", MT5OnnxConfig, FEATURES)
    register("longt5", T5OnnxConfig, FEATURES)
