"""Registers the multimodal model types with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .contrastive import TextImageOnnxConfig


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """transformers.onnx's multimodal types with its features."""
    for model_type in ("clip", "groupvit", "owlvit"):
        register(model_type, TextImageOnnxConfig, ("default",))
