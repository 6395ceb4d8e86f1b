"""onnxcore: export Hugging Face transformers models to ONNX, one plugin per architecture family.

The public API keeps the names and signatures of ``transformers.onnx`` v4.57, so that
``from transformers.onnx import X`` becomes ``from onnxcore import X``. Importing this package is light:
configs, torch, TensorFlow and transformers load only when the name that needs them is first used.
"""

from __future__ import annotations

import importlib
from importlib import metadata
from typing import TYPE_CHECKING, Any

from .hookspecs import hookimpl

if TYPE_CHECKING:
    from .config import (
        EXTERNAL_DATA_FORMAT_SIZE_LIMIT,
        OnnxConfig,
        OnnxConfigWithPast,
        OnnxSeq2SeqConfigWithPast,
        PatchingSpec,
    )
    from .exporters import export
    from .features import FeaturesManager
    from .optimization import OptimizerSpec
    from .utils import ParameterFormat, compute_serialized_parameters_size
    from .validate import validate_model_outputs

try:
    __version__ = metadata.version("onnxcore")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

_LAZY = {
    "EXTERNAL_DATA_FORMAT_SIZE_LIMIT": "config",
    "OnnxConfig": "config",
    "OnnxConfigWithPast": "config",
    "OnnxSeq2SeqConfigWithPast": "config",
    "PatchingSpec": "config",
    "FeaturesManager": "features",
    "OptimizerSpec": "optimization",
    "export": "exporters",
    "validate_model_outputs": "validate",
    "ParameterFormat": "utils",
    "compute_serialized_parameters_size": "utils",
}

__all__ = ["__version__", "hookimpl", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'onnxcore' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
