"""Registers ViT with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import ViTOnnxConfig

FEATURES = ("default", "image-classification", "masked-im")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """ViT exports transformers.onnx's two features plus masked-im (ViTForMaskedImageModeling), which
    transformers.onnx defined as a task but registered for no model."""
    register("vit", ViTOnnxConfig, FEATURES)
