"""The opset check every export path runs before it starts, against the exporters' table."""

from __future__ import annotations

from ..config import OnnxConfig
from ..errors import OpsetError
from ..plugins import get_registry
from .base import Exporter


def _exporter(exporter: str | Exporter) -> Exporter:
    return get_registry().exporter(exporter) if isinstance(exporter, str) else exporter


def opset_range(exporter: str | Exporter) -> tuple[int, int]:
    """Lowest and highest opset ``exporter`` (an exporter or its registered name) writes."""
    return _exporter(exporter).opset_range()


def alternative_exporter(exporter: Exporter, opset: int | None = None) -> str | None:
    """Another registered exporter of the same framework (that writes ``opset``, when given), to suggest."""
    for other in get_registry().exporters_for(exporter.framework):
        if other.name != exporter.name and (opset is None or other.opset_range()[0] <= opset <= other.opset_range()[1]):
            return other.name
    return None


def check_opset(opset: int, config: OnnxConfig, exporter: str | Exporter) -> None:
    """An opset below the config's minimum or outside the exporter's range is a usage error."""
    if opset < config.default_onnx_opset:
        raise OpsetError(
            f"opset {opset} is below the minimum of {type(config).__name__} ({config.default_onnx_opset}); use"
            f" --opset {config.default_onnx_opset} or higher."
        )
    exporter = _exporter(exporter)
    low, high = exporter.opset_range()
    if not low <= opset <= high:
        other = alternative_exporter(exporter, opset) if opset < low else None
        hint = f" or --exporter {other}" if other else ""
        nearest = max(low, min(opset, high))
        raise OpsetError(
            f"the {exporter.name} exporter writes opsets {low} to {high}, not {opset}; use --opset {nearest}{hint}."
        )
