"""onnxcore plugin for GPT-2."""

from .config import GPT2OnnxConfig

__all__ = ["GPT2OnnxConfig"]
