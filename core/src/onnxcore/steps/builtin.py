"""The table of core's own post-export steps, registered by core's default plugin (:mod:`onnxcore.builtin_tasks`).

Empty for now: what core does after writing a file (naming axes, checking the contract, settling external data
in :func:`onnxcore.exporters.onnx_files.finalize`) is part of each file's export contract, run by the exporter.
Adding a step means one module under ``steps/`` and one entry here.
"""

from __future__ import annotations

from .base import Step

BUILTIN_STEPS: tuple[Step, ...] = ()
