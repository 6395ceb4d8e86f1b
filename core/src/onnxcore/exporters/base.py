"""The one interface every export backend implements, so the pipeline, the CLI and plugins name none of them.

A backend is one module with one :class:`Exporter` subclass, registered through the ``register_exporters``
hook; core's own are listed in :mod:`onnxcore.exporters.builtin`.
"""

from __future__ import annotations

import abc
from pathlib import Path
from typing import Any, ClassVar

from ..config import OnnxConfig
from ..patching import Patch

FRAMEWORKS = ("pt", "tf")


class Exporter(abc.ABC):
    """An ONNX export backend: what it needs the model loaded with and patched with, the opsets it writes, and
    the export itself."""

    #: What users pass to ``--exporter``.
    name: ClassVar[str]
    #: The framework of the models it exports: ``"pt"`` or ``"tf"``.
    framework: ClassVar[str]
    #: How ``--help`` describes it, e.g. ``"TorchScript (dynamo=False)"``.
    summary: ClassVar[str]
    #: The ``attn_implementation`` to load the model with; None: the framework's default.
    attention: ClassVar[str | None] = None
    #: ``(module, attribute, replacement)`` patches applied while it traces (see :mod:`onnxcore.patching`).
    patches: ClassVar[tuple[Patch, ...]] = ()

    @abc.abstractmethod
    def opset_range(self) -> tuple[int, int]:
        """Lowest and highest opset it writes."""

    @abc.abstractmethod
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
        """Write ``model`` to ``output`` exactly as ``config`` declares; returns (input names, output names).

        The opset is checked first (:func:`onnxcore.exporters.opsets.check_opset`), and the written file goes
        through :func:`onnxcore.exporters.onnx_files.finalize`, so every backend keeps the same contract.
        """

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r} ({self.framework})>"
