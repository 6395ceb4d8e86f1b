"""Registers ernie with onnxcore. Imports nothing heavy: only onnxcore and the config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import ErnieOnnxConfig

# the features the config supports: add e.g. "sequence-classification", "causal-lm-with-past"
FEATURES = ("default",)


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """ernie and the features it exports."""
    register("ernie", ErnieOnnxConfig, FEATURES)
