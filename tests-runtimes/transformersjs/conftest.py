"""transformers.js suite (tox env ``transformersjs``): onnxcore's ``--runtime transformers.js`` exports of the tiny
examples (and of the checkpoints of other shapes), loaded by transformers.js 4.3.2 in Node (``run.mjs``,
onnxruntime-node) and compared with PyTorch.

The exports (``exported``) and the PyTorch side are shared with the Optimum suite (../conftest.py, ../reference.py);
here are the runtime's name and the Node runner, for which ``npm ci --ignore-scripts`` installs the pinned
package-lock.json first when node_modules is missing.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def runtime() -> str:
    """What ``exported`` passes to ``--runtime``."""
    return "transformers.js"


@pytest.fixture(scope="session")
def transformersjs() -> Callable[..., dict[str, Any]]:
    """``transformersjs(FOLDER, TASK, INPUTS[, DTYPE])``: what ``node run.mjs`` prints for that request (see
    run.mjs); ``DTYPE`` picks a ``--quantize`` variant (fp32 by default).

    Installs the locked node_modules first if they are missing (``npm ci --ignore-scripts``: onnxruntime-node's
    CPU binary ships in its package, so no install script is needed).
    """
    if not (HERE / "node_modules" / "@huggingface" / "transformers").is_dir():
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=True)

    def run(folder: Path, task: str, inputs: dict[str, Any], dtype: str = "fp32") -> dict[str, Any]:
        request = json.dumps({"folder": str(folder), "task": task, "inputs": inputs, "dtype": dtype})
        completed = subprocess.run(
            ["node", str(HERE / "run.mjs")], input=request, capture_output=True, text=True, cwd=HERE, timeout=300
        )
        if completed.returncode != 0:
            pytest.fail(f"node run.mjs ({task} on {folder}) exited {completed.returncode}:\n{completed.stderr}")
        return json.loads(completed.stdout.splitlines()[-1])

    return run
