"""The tf2onnx exporter of TensorFlow models (the conversion itself is in :mod:`.tensorflow`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import OnnxConfig
from .base import Exporter

# tf2onnx 1.17 writes opsets up to 18 and is tested from 14 (its README); lower ones are untested there
TF2ONNX_OPSETS = (14, 18)


class Tf2OnnxExporter(Exporter):
    """``tf2onnx.convert.from_function``; weights are always inline, on the CPU."""

    name = "tf2onnx"
    framework = "tf"
    summary = "tf2onnx"

    def opset_range(self) -> tuple[int, int]:
        return TF2ONNX_OPSETS

    def export(
        self,
        preprocessor: Any,
        model: Any,
        config: OnnxConfig,
        opset: int,
        output: Path,
        *,
        device: str = "cpu",
        external_data: bool | None = None,
    ) -> tuple[list[str], list[str]]:
        from .tensorflow import export_tensorflow  # lazily: it sets up and imports TensorFlow

        return export_tensorflow(preprocessor, model, config, opset, output, self)
