"""onnxcore plugin for the T5 family: T5, mT5, LongT5."""

from .config import MT5OnnxConfig, T5OnnxConfig

__all__ = ["MT5OnnxConfig", "T5OnnxConfig"]
