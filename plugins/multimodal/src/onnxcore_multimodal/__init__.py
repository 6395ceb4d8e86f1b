"""onnxcore plugin for multimodal models: CLIP-style text-image encoders, LayoutLMv3, Perceiver and
vision-encoder-decoder."""

from .contrastive import TextImageOnnxConfig
from .layoutlmv3 import LayoutLMv3OnnxConfig

__all__ = ["LayoutLMv3OnnxConfig", "TextImageOnnxConfig"]
