"""Optimum suite (tox env ``optimum``): onnxcore's ``--runtime optimum`` exports of the tiny examples, loaded as-is by
optimum-onnx's ``ORTModelFor*`` classes and compared with PyTorch.

Each example is exported once per session, through the CLI in a subprocess, as a user would.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RUNTIME = "optimum"


@dataclass(frozen=True)
class Example:
    """A tiny checkpoint of ``examples/`` and the feature this suite exports it with. ``head`` names the
    transformers Auto class whose weights the checkpoint lacks (a task head on a base model): they are drawn from a
    seed and saved first, so that the export and the PyTorch reference share them."""

    folder: str
    feature: str
    head: str | None = None


# BERT as masked-lm: the tiny checkpoint's pooled output hardly depends on the input, so sequence-classification
# logits would be near-equal for any text; masked-lm logits vary per token.
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
            out = tmp_path_factory.mktemp(f"{name}-export") / RUNTIME
            done[name] = Export(checkpoint, export_for_runtime(checkpoint, example.feature, RUNTIME, out))
        return done[name]

    return export


@pytest.fixture(scope="session")
def waveform() -> np.ndarray:
    """A fixed 1 s, 16 kHz waveform: a 440 Hz sine plus seeded noise, float32 in [-1, 1]."""
    t = np.arange(16000) / 16000
    noise = np.random.default_rng(0).normal(0, 0.1, t.shape)
    return np.clip(0.5 * np.sin(2 * np.pi * 440 * t) + noise, -1, 1).astype(np.float32)


@dataclass
class Messages:
    """Logging records and Python warnings seen while capturing."""

    records: list[logging.LogRecord]
    warnings: list[warnings.WarningMessage]

    def containing(self, word: str) -> list[str]:
        texts = [record.getMessage() for record in self.records] + [str(w.message) for w in self.warnings]
        return [text for text in texts if word.lower() in text.lower()]


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def messages() -> Iterator[Messages]:
    """Everything Optimum and transformers say during a test: the records of the ``optimum`` and ``transformers``
    loggers, attached directly (both libraries stop propagation to the root logger, so ``caplog`` misses them),
    and ``warnings.warn`` calls."""
    seen = Messages([], [])
    handler = _Collect(seen.records)
    loggers = [logging.getLogger(name) for name in ("optimum", "transformers")]
    for logger in loggers:
        logger.addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        seen.warnings = caught
        yield seen
    for logger in loggers:
        logger.removeHandler(handler)
