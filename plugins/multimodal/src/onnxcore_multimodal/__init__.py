"""onnxcore plugin for multimodal models: CLIP-style text-image encoders, LayoutLMv3, Perceiver and
vision-encoder-decoder."""

from .contrastive import TextImageOnnxConfig

__all__ = ["TextImageOnnxConfig"]
