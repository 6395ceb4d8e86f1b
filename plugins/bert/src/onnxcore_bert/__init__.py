"""onnxcore plugin for BERT."""

from .config import BertOnnxConfig

__all__ = ["BertOnnxConfig"]
