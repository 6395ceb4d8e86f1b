"""Which opsets each exporter writes, and the check every export path runs before it starts."""

from __future__ import annotations

from ..config import OnnxConfig
from ..errors import OpsetError

TORCH_EXPORTERS = ("torchscript", "dynamo")
TF_EXPORTER = "tf2onnx"
# tf2onnx 1.17 writes opsets up to 18 and is tested from 14 (its README); lower ones are untested there
TF2ONNX_OPSETS = (14, 18)


def opset_range(exporter: str) -> tuple[int, int]:
    """Lowest and highest opset ``exporter`` writes."""
    if exporter == TF_EXPORTER:
        return TF2ONNX_OPSETS
    from torch.onnx import _constants

    if exporter == "dynamo":
        return 18, _constants.ONNX_MAX_OPSET
    return 7, _constants.ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET


def check_opset(opset: int, config: OnnxConfig, exporter: str) -> None:
    """An opset below the config's minimum or outside the exporter's range is a usage error."""
    if opset < config.default_onnx_opset:
        raise OpsetError(
            f"opset {opset} is below the minimum of {type(config).__name__} ({config.default_onnx_opset}); use"
            f" --opset {config.default_onnx_opset} or higher."
        )
    low, high = opset_range(exporter)
    if not low <= opset <= high:
        hint = " or --exporter torchscript" if exporter == "dynamo" and opset < low else ""
        nearest = max(low, min(opset, high))
        raise OpsetError(
            f"the {exporter} exporter writes opsets {low} to {high}, not {opset}; use --opset {nearest}{hint}."
        )
