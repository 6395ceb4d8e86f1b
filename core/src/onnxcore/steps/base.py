"""The one interface of post-export steps (merging decoders, dtype conversion, quantization, optimization...).

A step is one module with one :class:`Step` subclass, registered through the ``register_steps`` hook; core's
own are listed in :mod:`onnxcore.steps.builtin`. The pipeline runs every registered step on the staged folder,
so a step needs no pipeline edit.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from ..config import OnnxConfig


@dataclasses.dataclass(frozen=True)
class StepContext:
    """What a step may read about the export it post-processes."""

    #: The staged output folder (not yet moved into place): edit or add files here.
    folder: Path
    #: Each exported ONNX file's name -> the OnnxConfig it was exported with (its contract).
    files: Mapping[str, OnnxConfig]
    opset: int
    exporter: str
    framework: str
    feature: str


class Step(abc.ABC):
    """A post-export step: changes or adds files of the staged folder before validation sees them."""

    #: A unique name, shown in progress messages.
    name: ClassVar[str]

    @abc.abstractmethod
    def run(self, context: StepContext) -> None:
        """Post-process ``context.folder``; return without change when the step does not apply."""
