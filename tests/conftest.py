"""Integration tests: everything installed, the CLI run as a user runs it (in this process where no real process
is needed)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import onnx
import pytest

from onnxcore.cli import main

ROOT = Path(__file__).resolve().parents[1]
TINY_BERT = ROOT / "examples" / "tiny-bert"
TINY_GPT2 = ROOT / "examples" / "tiny-gpt2"
TINY_T5 = ROOT / "examples" / "tiny-t5"
TINY_VIT = ROOT / "examples" / "tiny-vit"
TINY_WHISPER = ROOT / "examples" / "tiny-whisper"


def onnx_graphs(path: Path) -> Iterator[onnx.GraphProto]:
    """The ONNX file's main graph and every subgraph (a merged decoder's branches), without its external data."""
    pending = [onnx.load(str(path), load_external_data=False).graph]
    while pending:
        graph = pending.pop()
        yield graph
        for node in graph.node:
            for attribute in node.attribute:
                pending += [*([attribute.g] if attribute.HasField("g") else []), *attribute.graphs]


class Run:
    """Result of one CLI run: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err
        assert "Traceback" not in err, err

    @property
    def error_line(self) -> str:
        lines = [line for line in self.err.splitlines() if line.startswith("error:")]
        assert len(lines) == 1, self.err
        return lines[0]

    def strict_json(self) -> Any:
        """stdout as strict JSON: NaN and Infinity are refused."""
        return json.loads(self.out, parse_constant=lambda constant: (_ for _ in ()).throw(ValueError(constant)))


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, process: bool = False) -> Run:
    """``onnxcore ARGS``, asserting that no traceback escapes.

    In this process through ``cli.main`` (the libraries are imported once for the whole run, about 6 s saved per
    call); in a real ``python -m onnxcore`` process with ``process=True`` or extra ``env`` (variables read when
    a library is imported, or when the plugins load, need a fresh process), for signals, resource limits and
    what the console entry does before ``main``.
    """
    if env is not None or process:
        completed = subprocess.run(
            [sys.executable, "-m", "onnxcore", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            timeout=600,
        )
        return Run(completed.returncode, completed.stdout, completed.stderr)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd or Path.cwd()), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args), out=out, err=err)
    return Run(code, out.getvalue(), err.getvalue())


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
def tiny_mpnet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from transformers import MPNetConfig, MPNetModel

    from onnxcore.testing.checkpoints import save_random_model, save_wordpiece_tokenizer

    directory = tmp_path_factory.mktemp("tiny-mpnet")
    tokenizer = save_wordpiece_tokenizer(directory)
    config = MPNetConfig(
        vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=20
    )
    save_random_model(directory, MPNetModel, config)
    return directory
