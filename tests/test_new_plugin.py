"""``onnxcore new-plugin``: the skeleton installs with pip and passes its conformance suite once the author has
filled in its two TODOs (here for ELECTRA, which no installed plugin covers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import run_cli

FILLED_INPUTS = (
    'return OrderedDict((name, {0: "batch", 1: "sequence"}) for name in ("input_ids", "attention_mask",'
    ' "token_type_ids"))'
)
FILLED_CONFIG = (
    "from transformers import ElectraConfig\n\n"
    "        return ElectraConfig(vocab_size=99, embedding_size=16, hidden_size=32, num_hidden_layers=2,"
    " num_attention_heads=4, intermediate_size=37)"
)


def _fill(path: Path, replacement: str) -> None:
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if "raise NotImplementedError" in line)
    lines[index] = " " * (len(lines[index]) - len(lines[index].lstrip())) + replacement
    path.write_text("\n".join(lines) + "\n")


def test_filled_in_template_passes_its_conformance_suite(tmp_path: Path) -> None:
    created = run_cli("new-plugin", "electra", "--directory", str(tmp_path))
    assert created.code == 0, created.err
    plugin = tmp_path / "onnxcore-electra"
    assert "fill in the two TODOs" in created.out
    assert run_cli("new-plugin", "electra", "--directory", str(tmp_path)).code == 2  # never overwrites

    _fill(plugin / "src" / "onnxcore_electra" / "config.py", FILLED_INPUTS)
    _fill(plugin / "tests" / "test_electra_conformance.py", FILLED_CONFIG)
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site)]
    subprocess.run([*pip, str(plugin)], check=True)
    env = {"PYTHONPATH": str(site)}
    features = run_cli("features", "electra", env=env)
    assert features.code == 0 and "onnxcore-electra" in features.out
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(plugin / "tests")],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        cwd=tmp_path,
        timeout=900,
    )
    assert suite.returncode == 0, suite.stdout[-3000:]
    assert " passed" in suite.stdout and " failed" not in suite.stdout


def test_unfilled_template_fails_with_what_to_fill_in(tmp_path: Path) -> None:
    run_cli("new-plugin", "electra", "--directory", str(tmp_path))
    plugin = tmp_path / "onnxcore-electra"
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site)]
    subprocess.run([*pip, str(plugin)], check=True)
    suite = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", str(plugin / "tests")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(site)},
        cwd=tmp_path,
        timeout=900,
    )
    assert suite.returncode == 1
    assert "fill in" in suite.stdout
