"""onnxcore contrib plugin for ERNIE."""

from .config import ErnieOnnxConfig

__all__ = ["ErnieOnnxConfig"]
