"""Integration tests: everything installed, the CLI run in subprocesses as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TINY_BERT = ROOT / "examples" / "tiny-bert"
TINY_GPT2 = ROOT / "examples" / "tiny-gpt2"
TINY_T5 = ROOT / "examples" / "tiny-t5"
TINY_VIT = ROOT / "examples" / "tiny-vit"
TINY_WHISPER = ROOT / "examples" / "tiny-whisper"


class Run:
    """Result of one CLI run."""

    def __init__(self, completed: subprocess.CompletedProcess[str]) -> None:
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    @property
    def error_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, self.err
        return lines[0]


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """``python -m onnxcore ARGS`` in a subprocess; asserts no traceback escapes."""
    full_env = {**os.environ, **(env or {})}
    completed = subprocess.run(
        [sys.executable, "-m", "onnxcore", *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=600
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    return Run(completed)


@pytest.fixture(scope="session")
def installed_test_plugins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test plugin distributions, installed with pip into a folder put on PYTHONPATH by the tests."""
    target = tmp_path_factory.mktemp("site")
    for name in ("onnxcore-testplug", "onnxcore-broken"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--no-build-isolation",
                "--target",
                str(target),
                str(ROOT / "tests" / "plugins" / name),
            ],
            check=True,
        )
    return target


@pytest.fixture(scope="session")
def tiny_distilbert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import DistilBertConfig, DistilBertModel

    from onnxcore.testing.checkpoints import save_random_model, save_wordpiece_tokenizer

    directory = tmp_path_factory.mktemp("tiny-distilbert")
    tokenizer = save_wordpiece_tokenizer(directory)
    config = DistilBertConfig(vocab_size=len(tokenizer), dim=16, n_layers=1, n_heads=2, hidden_dim=20)
    save_random_model(directory, DistilBertModel, config)
    return directory
