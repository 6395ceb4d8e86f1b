"""onnxcore plugin for vision models."""

from .config import ConvBackboneOnnxConfig, ConvNextOnnxConfig, FeatureMapOnnxConfig, ViTOnnxConfig

__all__ = ["ConvBackboneOnnxConfig", "ConvNextOnnxConfig", "FeatureMapOnnxConfig", "ViTOnnxConfig"]
