"""onnxcore plugin for vision models: ViT and the image classifiers transformers.onnx exported."""

from .config import ConvNetOnnxConfig, ConvNextOnnxConfig, FeatureMapOnnxConfig, ViTOnnxConfig

__all__ = ["ConvNetOnnxConfig", "ConvNextOnnxConfig", "FeatureMapOnnxConfig", "ViTOnnxConfig"]
