"""transformers.js suite (tox env ``transformersjs``): onnxcore's ``--runtime transformers.js`` exports of the tiny
examples, loaded by transformers.js 4.3.2 in Node (``run.mjs``, onnxruntime-node) and compared with PyTorch.

Each example is exported once per session, through the CLI in a subprocess, as a user would; ``npm ci
--ignore-scripts`` installs the pinned package-lock.json first when node_modules is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
RUNTIME = "transformers.js"
MAX_NEW_TOKENS = 10


@dataclass(frozen=True)
class Example:
    """A tiny checkpoint of ``examples/`` and the feature this suite exports it with; ``head`` names the Auto class
    whose missing weights (a task head on a base model) are drawn from a seed and saved before the export."""

    folder: str
    feature: str
    head: str | None = None


# BERT as masked-lm: the tiny checkpoint's pooled output hardly depends on the input (see tests-optimum).
EXAMPLE_MODELS = {
    "bert": Example("tiny-bert", "masked-lm", head="AutoModelForMaskedLM"),
    "vit": Example("tiny-vit", "image-classification", head="AutoModelForImageClassification"),
    "gpt2": Example("tiny-gpt2", "causal-lm-with-past"),
    "t5": Example("tiny-t5", "seq2seq-lm-with-past"),
    "whisper": Example("tiny-whisper", "speech2seq-lm-with-past"),
}


@dataclass(frozen=True)
class Export:
    """A checkpoint (what PyTorch loads) and its export for the runtime (what the runtime loads)."""

    checkpoint: Path
    folder: Path


def export_for_runtime(checkpoint: Path, feature: str, runtime: str, out: Path) -> Path:
    """``python -m onnxcore export -m CHECKPOINT --feature FEATURE --runtime RUNTIME OUT``; returns OUT, or fails
    the test with what the CLI printed."""
    command = [sys.executable, "-m", "onnxcore", "export", "-m", str(checkpoint), "--feature", feature]
    command += ["--runtime", runtime, str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if completed.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}")
    return out


def with_task_head(checkpoint: Path, auto_class: str, out: Path) -> Path:
    """``checkpoint`` saved to ``out`` as an ``auto_class`` model, the weights it lacked drawn from seed 0; its
    tokenizer and preprocessor files are copied beside."""
    import transformers

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        getattr(transformers, auto_class).from_pretrained(checkpoint).save_pretrained(out)
    for source in checkpoint.iterdir():
        if not (out / source.name).exists():
            shutil.copy(source, out / source.name)
    return out


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Export]:
    """``exported(NAME)``: the export of ``EXAMPLE_MODELS[NAME]`` for this suite's runtime, made once a session."""
    done: dict[str, Export] = {}

    def export(name: str) -> Export:
        if name not in done:
            example = EXAMPLE_MODELS[name]
            checkpoint = EXAMPLES / example.folder
            if example.head:
                checkpoint = with_task_head(checkpoint, example.head, tmp_path_factory.mktemp(f"{name}-checkpoint"))
            out = tmp_path_factory.mktemp(f"{name}-export") / "transformersjs"
            done[name] = Export(checkpoint, export_for_runtime(checkpoint, example.feature, RUNTIME, out))
        return done[name]

    return export


@pytest.fixture(scope="session")
def transformersjs() -> Callable[[Path, str, dict[str, Any]], dict[str, Any]]:
    """``transformersjs(FOLDER, TASK, INPUTS)``: what ``node run.mjs`` prints for that request (see run.mjs).

    Installs the locked node_modules first if they are missing (``npm ci --ignore-scripts``: onnxruntime-node's
    CPU binary ships in its package, so no install script is needed).
    """
    if not (HERE / "node_modules" / "@huggingface" / "transformers").is_dir():
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=True)

    def run(folder: Path, task: str, inputs: dict[str, Any]) -> dict[str, Any]:
        request = json.dumps({"folder": str(folder), "task": task, "inputs": inputs})
        completed = subprocess.run(
            ["node", str(HERE / "run.mjs")], input=request, capture_output=True, text=True, cwd=HERE, timeout=300
        )
        if completed.returncode != 0:
            pytest.fail(f"node run.mjs ({task} on {folder}) exited {completed.returncode}:\n{completed.stderr}")
        return json.loads(completed.stdout.splitlines()[-1])

    return run


@pytest.fixture(scope="session")
def waveform() -> np.ndarray:
    """A fixed 1 s, 16 kHz waveform: a 440 Hz sine plus seeded noise, float32 in [-1, 1]."""
    t = np.arange(16000) / 16000
    noise = np.random.default_rng(0).normal(0, 0.1, t.shape)
    return np.clip(0.5 * np.sin(2 * np.pi * 440 * t) + noise, -1, 1).astype(np.float32)
