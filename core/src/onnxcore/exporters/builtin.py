"""The table of core's own exporters: a default plugin of core, registered through the same hook as any other.

Adding a backend means one module under ``exporters/`` and one entry here. Order matters: the first exporter
of a framework is its default.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..registry import ExporterRegistrar
from .base import Exporter
from .dynamo import DynamoExporter
from .tf2onnx import Tf2OnnxExporter
from .torchscript import TorchScriptExporter

BUILTIN_EXPORTERS: tuple[Exporter, ...] = (TorchScriptExporter(), DynamoExporter(), Tf2OnnxExporter())

#: Core's PyTorch exporters, the default first (plugin tests run each).
EXPORTERS = tuple(exporter.name for exporter in BUILTIN_EXPORTERS if exporter.framework == "pt")
DEFAULT_EXPORTER = EXPORTERS[0]
TF_EXPORTER = next(exporter.name for exporter in BUILTIN_EXPORTERS if exporter.framework == "tf")


@hookimpl
def register_exporters(register: ExporterRegistrar) -> None:
    """Register torchscript, dynamo and tf2onnx, in that order (the first of a framework is its default)."""
    for exporter in BUILTIN_EXPORTERS:
        register(exporter)
