"""One export per checkpoint, feature, exporter, layout and framework in a test session.

An export and its validation are most of a test's cost (seconds each on two cores, against milliseconds for the
assertions), so the conformance suite and a plugin's own tests assert on one shared export instead of exporting
again: ask :func:`export_once` with the same arguments and get the same :class:`~onnxcore.pipeline.ExportResult`.
A test that changes the folder it gets (or needs a fresh export to see something happen) exports on its own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from ..pipeline import ExportRequest, ExportResult, run_export

_EXPORTS: dict[tuple[str, str, str | None, str, str | None], ExportResult] = {}
_FOLDER: list[Path] = []  # where the shared exports live: made on first use, removed when the process exits


def export_once(
    model: str | Path,
    feature: str,
    exporter: str | None = None,
    layout: str = "single",
    framework: str | None = None,
) -> ExportResult:
    """The export of ``model`` for ``feature`` (with the default exporter, framework and settings otherwise), made
    on the first call and returned as it was on every later one."""
    key = (str(Path(model).resolve()), feature, exporter, layout, framework)
    if key not in _EXPORTS:
        if not _FOLDER:
            _FOLDER.append(Path(tempfile.mkdtemp(prefix="onnxcore-exports-")))
            atexit.register(shutil.rmtree, _FOLDER[0], ignore_errors=True)
        output = Path(tempfile.mkdtemp(dir=_FOLDER[0])) / "onnx"
        request = ExportRequest(
            model=str(model), output=output, feature=feature, exporter=exporter, layout=layout, framework=framework
        )
        _EXPORTS[key] = run_export(request)
    return _EXPORTS[key]
