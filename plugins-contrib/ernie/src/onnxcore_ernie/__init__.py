"""onnxcore plugin for ernie."""

from .config import ErnieOnnxConfig

__all__ = ["ErnieOnnxConfig"]
