"""onnxcore plugin for multimodal models: CLIP-style text-image encoders, LayoutLMv3, Perceiver and
vision-encoder-decoder."""

from .contrastive import TextImageOnnxConfig
from .layoutlmv3 import LayoutLMv3OnnxConfig
from .perceiver import PerceiverOnnxConfig
from .vision_encoder_decoder import VisionEncoderDecoderOnnxConfig

__all__ = ["LayoutLMv3OnnxConfig", "PerceiverOnnxConfig", "TextImageOnnxConfig", "VisionEncoderDecoderOnnxConfig"]
