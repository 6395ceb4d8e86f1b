"""onnxcore plugin for ViT."""

from .config import ViTOnnxConfig

__all__ = ["ViTOnnxConfig"]
