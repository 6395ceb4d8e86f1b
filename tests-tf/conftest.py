"""TensorFlow path tests: core, every plugin, TensorFlow and tf2onnx installed (tox env ``tf``)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from onnxcore.cli import main
from onnxcore.testing.checkpoints import save_pt_and_tf

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


class CliRun:
    """Exit code, output and, after an export, the manifest of one in-process CLI run."""

    def __init__(self, code: int, out: str, err: str, output: Path | None) -> None:
        self.code, self.out, self.err = code, out, err
        manifest = output / "onnxcore.json" if output is not None else None
        self.manifest: dict[str, Any] = json.loads(manifest.read_text()) if manifest and manifest.is_file() else {}

    @property
    def error_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, self.err
        return lines[0]


def run_cli(*args: str | Path) -> CliRun:
    """``python -m onnxcore ARGS`` in this process (TensorFlow is imported once for the whole run)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(arg) for arg in args], out, err)
    output = Path(args[-1]) if args and args[0] == "export" else None
    assert "Traceback" not in err.getvalue(), err.getvalue()
    return CliRun(code, out.getvalue(), err.getvalue(), output)


@pytest.fixture(scope="session")
def twins(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """``twins(example, feature)``: the example with the feature's head as PyTorch and TensorFlow checkpoints of
    the same weights (converted by transformers), made once per session."""
    made: dict[tuple[str, str], tuple[Path, Path]] = {}

    def make(example: str, feature: str) -> tuple[Path, Path]:
        if (example, feature) not in made:
            target = tmp_path_factory.mktemp(f"{example}-{feature}")
            made[example, feature] = save_pt_and_tf(EXAMPLES / example, feature, target)
        return made[example, feature]

    return make
