"""The TorchScript exporter: ``torch.onnx.export(dynamo=False)``, fast (under a second per tiny model) and able to
write the low opsets of transformers.onnx's configs, once core's tracer patches are in place."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..patching import TORCHSCRIPT_PATCHES
from .pytorch import TorchExporter


class TorchScriptExporter(TorchExporter):
    """TorchScript tracing.

    Attention ``eager``: it cannot write SDPA below opset 14, and the transformers.onnx default opsets (BERT 11,
    GPT-2 13) must keep working; it cannot trace transformers' vmap masks either, hence the patches.
    """

    name = "torchscript"
    summary = "TorchScript (dynamo=False)"
    attention = "eager"
    patches = TORCHSCRIPT_PATCHES

    def opset_range(self) -> tuple[int, int]:
        from torch.onnx import _constants

        return 7, _constants.ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET

    def options(
        self, inputs: Mapping[str, Mapping[int, str]], outputs: Mapping[str, Mapping[int, str]], external_data: bool
    ) -> dict[str, Any]:
        return {"dynamo": False, "dynamic_axes": {**inputs, **outputs}, "do_constant_folding": True}
