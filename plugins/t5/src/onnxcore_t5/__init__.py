"""onnxcore plugin for T5."""

from .config import T5OnnxConfig

__all__ = ["T5OnnxConfig"]
