"""Registers the vision model types with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import ConvNextOnnxConfig, FeatureMapOnnxConfig, ViTOnnxConfig

CLASSIFIER = ("default", "image-classification")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """transformers.onnx's features for each type; ViT also masked-im (ViTForMaskedImageModeling), which
    transformers.onnx defined as a task but registered for no model."""
    register("beit", ViTOnnxConfig, CLASSIFIER)
    register("convnext", ConvNextOnnxConfig, CLASSIFIER)
    register("deit", ViTOnnxConfig, CLASSIFIER)
    register("levit", ViTOnnxConfig, CLASSIFIER)
    register("mobilenet-v1", FeatureMapOnnxConfig, CLASSIFIER)
    register("mobilevit", FeatureMapOnnxConfig, CLASSIFIER)
    register("swin", ViTOnnxConfig, CLASSIFIER)
    register("vit", ViTOnnxConfig, (*CLASSIFIER, "masked-im"))
