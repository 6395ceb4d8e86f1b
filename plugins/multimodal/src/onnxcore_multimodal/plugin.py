"""Registers the multimodal model types with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .contrastive import TextImageOnnxConfig
from .layoutlmv3 import LayoutLMv3OnnxConfig
from .perceiver import PerceiverOnnxConfig
from .vision_encoder_decoder import VisionEncoderDecoderOnnxConfig

LAYOUTLMV3_FEATURES = ("default", "question-answering", "sequence-classification", "token-classification")
PERCEIVER_FEATURES = ("image-classification", "masked-lm", "sequence-classification")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """transformers.onnx's multimodal types with its features."""
    for model_type in ("clip", "groupvit", "owlvit"):
        register(model_type, TextImageOnnxConfig, ("default",))
    register("layoutlmv3", LayoutLMv3OnnxConfig, LAYOUTLMV3_FEATURES)
    register("perceiver", PerceiverOnnxConfig, PERCEIVER_FEATURES)
    register("vision-encoder-decoder", VisionEncoderDecoderOnnxConfig, ("vision2seq-lm",))
