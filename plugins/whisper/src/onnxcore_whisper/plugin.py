"""Registers Whisper with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import WhisperOnnxConfig

FEATURES = ("default", "default-with-past", "speech2seq-lm", "speech2seq-lm-with-past")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """Whisper exports the four features transformers.onnx listed for it."""
    register("whisper", WhisperOnnxConfig, FEATURES)
