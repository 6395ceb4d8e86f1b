"""The table of core's own exporters, registered by core's default plugin (:mod:`onnxcore.builtin_tasks`).

Adding a backend means one module under ``exporters/`` and one entry here. Order matters: the first exporter
of a framework is its default.
"""

from __future__ import annotations

from .base import Exporter
from .dynamo import DynamoExporter
from .tf2onnx import Tf2OnnxExporter
from .torchscript import TorchScriptExporter

BUILTIN_EXPORTERS: tuple[Exporter, ...] = (TorchScriptExporter(), DynamoExporter(), Tf2OnnxExporter())

#: Core's PyTorch exporters, the default first (plugin tests run each).
EXPORTERS = tuple(exporter.name for exporter in BUILTIN_EXPORTERS if exporter.framework == "pt")
DEFAULT_EXPORTER = EXPORTERS[0]
TF_EXPORTER = next(exporter.name for exporter in BUILTIN_EXPORTERS if exporter.framework == "tf")
