"""Registers the vision family with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import (
    ConvNextOnnxConfig,
    Data2VecVisionOnnxConfig,
    DetrOnnxConfig,
    FeatureMapOnnxConfig,
    MobileNetV2OnnxConfig,
    PoolFormerOnnxConfig,
    ResNetOnnxConfig,
    SegformerOnnxConfig,
    ViTOnnxConfig,
    YolosOnnxConfig,
)

CLASSIFICATION = ("default", "image-classification")
SEGMENTATION = (*CLASSIFICATION, "semantic-segmentation")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """transformers.onnx's features of each model type, plus semantic-segmentation for data2vec-vision and
    mobilenet-v2 and masked-im for ViT (tasks transformers.onnx left unregistered for them)."""
    register("beit", ViTOnnxConfig, CLASSIFICATION)
    register("convnext", ConvNextOnnxConfig, CLASSIFICATION)
    register("data2vec-vision", Data2VecVisionOnnxConfig, SEGMENTATION)
    register("deit", ViTOnnxConfig, CLASSIFICATION)
    register("detr", DetrOnnxConfig, ("default", "object-detection", "image-segmentation"))
    register("levit", ViTOnnxConfig, CLASSIFICATION)
    register("mobilenet-v1", FeatureMapOnnxConfig, CLASSIFICATION)
    register("mobilenet-v2", MobileNetV2OnnxConfig, SEGMENTATION)
    register("mobilevit", FeatureMapOnnxConfig, CLASSIFICATION)
    register("poolformer", PoolFormerOnnxConfig, CLASSIFICATION)
    register("resnet", ResNetOnnxConfig, CLASSIFICATION)
    register("segformer", SegformerOnnxConfig, SEGMENTATION)
    register("swin", ViTOnnxConfig, CLASSIFICATION)
    register("vit", ViTOnnxConfig, (*CLASSIFICATION, "masked-im"))
    register("yolos", YolosOnnxConfig, ("default", "object-detection"))
