"""``onnxcore new-plugin``: the skeleton installs with pip and passes its conformance suite once the author has
filled in its two TODOs with the hints it gives (here for Megatron-BERT, which no installed plugin covers, under a
hyphenated name)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli


def _follow_hints(path: Path) -> None:
    """Do what a TODO says: uncomment its example code (the ``#   `` lines) in place of the ``raise``."""
    lines = path.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "# TODO" in line)
    end = next(i for i, line in enumerate(lines) if "raise NotImplementedError" in line)
    code = [line.replace("#   ", "", 1) for line in lines[start:end] if line.lstrip().startswith("#   ")]
    code = [line for line in code if not line.lstrip().startswith("(")]  # a remark, not code
    path.write_text("\n".join([*lines[:start], *code, *lines[end + 1 :]]) + "\n")


def _use_tokenizer_hint(path: Path) -> None:
    """Uncomment the suggested ``save_preprocessor``."""
    text = path.read_text()
    text = text.replace("    # def save_preprocessor", "    def save_preprocessor").replace("    #     ", "        ")
    future = "from __future__ import annotations\n"
    path.write_text(text.replace(future, future + "\nfrom pathlib import Path\n"))


def test_filled_in_template_passes_its_conformance_suite(tmp_path: Path) -> None:
    created = run_cli("new-plugin", "megatron-bert", "--directory", str(tmp_path))
    assert created.code == 0, created.err
    plugin = tmp_path / "onnxcore-megatron-bert"
    assert "fill in the two TODOs" in created.out
    assert run_cli("new-plugin", "megatron-bert", "--directory", str(tmp_path)).code == 2  # never overwrites

    _follow_hints(plugin / "src" / "onnxcore_megatron_bert" / "config.py")
    test_file = plugin / "tests" / "test_megatron_bert_conformance.py"
    _follow_hints(test_file)
    _use_tokenizer_hint(test_file)
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target", str(site)]
    subprocess.run([*pip, str(plugin)], check=True)
    env = {"PYTHONPATH": str(site)}
    features = run_cli("features", "megatron-bert", env=env)
    assert features.code == 0 and "onnxcore-megatron-bert" in features.out
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
    run_cli("new-plugin", "megatron-bert", "--directory", str(tmp_path))
    plugin = tmp_path / "onnxcore-megatron-bert"
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


@pytest.mark.parametrize(
    ("kind", "base", "sizes"),
    [
        ("encoder", "OnnxConfig", ("num_hidden_layers=2",)),
        ("decoder", "OnnxConfigWithPast", ("num_hidden_layers=2", "eos_token_id=0")),
        ("encoder-decoder", "OnnxSeq2SeqConfigWithPast", ("encoder_layers=2", "decoder_layers=2", "vocab_size=400")),
    ],
)
def test_each_kind_gets_its_base_class_and_tiny_sizes(tmp_path: Path, kind: str, base: str, sizes: tuple) -> None:
    """An encoder-decoder skeleton says which sizes to shrink (BART's defaults are 12+12 layers and a 50k
    vocabulary), and its hinted inputs give one new decoder token with the past."""
    assert run_cli("new-plugin", "demo-arch", "--kind", kind, "--directory", str(tmp_path)).code == 0
    plugin = tmp_path / "onnxcore-demo-arch"
    package = plugin / "src" / "onnxcore_demo_arch"
    assert f"class DemoArchOnnxConfig({base}):" in (package / "config.py").read_text()
    test_text = (plugin / "tests" / "test_demo_arch_conformance.py").read_text()
    assert all(size in test_text for size in sizes)
    assert 'demo_arch = "onnxcore_demo_arch.plugin"' in (plugin / "pyproject.toml").read_text()
    for path in plugin.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    if kind != "encoder":
        assert "-with-past" in (package / "plugin.py").read_text()
