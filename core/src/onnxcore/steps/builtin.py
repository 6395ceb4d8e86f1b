"""The table of core's own post-export steps: a default plugin of core, registered through the same hook as any
other.

Empty for now: what core does after writing a file (naming axes, checking the contract, settling external data
in :func:`onnxcore.exporters.onnx_files.finalize`) is part of each file's export contract, run by the exporter.
Adding a step means one module under ``steps/`` and one entry here.
"""

from __future__ import annotations

from ..hookspecs import hookimpl
from ..registry import StepRegistrar
from .base import Step

BUILTIN_STEPS: tuple[Step, ...] = ()


@hookimpl
def register_steps(register: StepRegistrar) -> None:
    """Register core's post-export steps (none yet)."""
    for step in BUILTIN_STEPS:
        register(step)
