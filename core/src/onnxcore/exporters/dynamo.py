"""The torch.export exporter: ``torch.onnx.export(dynamo=True)``, which traces every family unpatched but is
slower (4 to 19 s per tiny model) and writes opset 18 and up only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .pytorch import TorchExporter


class DynamoExporter(TorchExporter):
    """torch.export.

    Attention ``sdpa``, transformers' default: GPT-2's eager path slices its causal-mask buffer with symbolic
    bounds, which kept torch.export busy for over 7 minutes on 12 layers (35 s with SDPA).
    """

    name = "dynamo"
    summary = "torch.export (dynamo=True)"
    attention = "sdpa"

    def opset_range(self) -> tuple[int, int]:
        from torch.onnx import _constants

        return 18, _constants.ONNX_MAX_OPSET

    def options(
        self, inputs: Mapping[str, Mapping[int, str]], outputs: Mapping[str, Mapping[int, str]], external_data: bool
    ) -> dict[str, Any]:
        from torch.export import Dim

        return {
            "dynamo": True,
            "dynamic_shapes": (tuple({axis: Dim.DYNAMIC for axis in axes} for axes in inputs.values()),),
            "external_data": external_data,
            "verbose": False,
        }
