"""Bad input the CLI must turn into one clear line and the right exit code, never a traceback or an "unexpected"
error; with ``--json``, stdout is one strict JSON object even then. Run in-process (``cli.main``) where no real
process is needed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, TINY_BERT, TINY_VIT, Run, run_cli


def InProcess(*args: str, foreseen: bool = True) -> Run:  # noqa: N802 (reads like the run it makes)
    """One in-process CLI run; ``foreseen``: the input is one the code knows, so the error must not be the
    "unexpected" safety net."""
    run = run_cli(*args)
    assert not foreseen or "error: unexpected" not in run.err, run.err
    return run


def _damaged(tmp_path: Path, source: Path, name: str, text: str) -> Path:
    """A copy of ``source`` in ``tmp_path`` whose file ``name`` holds ``text`` instead."""
    checkpoint = tmp_path / "checkpoint"
    shutil.copytree(source, checkpoint)
    (checkpoint / name).write_text(text)
    return checkpoint


@pytest.mark.parametrize("command", ["export", "validate"])
@pytest.mark.parametrize("value", ["nan", "-1", "inf", "-inf", "1e-3x"])
def test_a_tolerance_that_is_not_one_is_a_usage_error(tmp_path, command, value) -> None:
    target = ["-m", str(TINY_BERT), str(tmp_path / "out")] if command == "export" else [str(tmp_path / "out")]
    run = InProcess(command, "--json", f"--atol={value}", *target)
    assert run.code == 2
    expected = (
        rf"^error: argument --atol: {re.escape(repr(value))} is not a tolerance; pass a finite number of at least"
        rf" 0 such as 1e-4, or leave --atol out for the default \(see onnxcore {command} --help\)$"
    )
    assert re.match(expected, run.error_line), run.error_line
    assert run.strict_json() == {"ok": False, "error": run.error_line.removeprefix("error: "), "exit_code": 2}
    assert not (tmp_path / "out").exists()


def test_the_manifest_is_strict_json_whatever_the_tolerance(tmp_path) -> None:
    """The Python API takes any atol (as transformers.onnx did); an infinite one is written as null."""
    from onnxcore.pipeline import ExportRequest, run_export

    run_export(ExportRequest(model=str(TINY_BERT), output=tmp_path / "out", atol=float("inf")))
    manifest = (tmp_path / "out" / "onnxcore.json").read_text()
    record = json.loads(manifest, parse_constant=lambda constant: (_ for _ in ()).throw(ValueError(constant)))
    assert record["validation"]["model.onnx"]["atol"] is None


def test_non_finite_numbers_are_written_as_null() -> None:
    from onnxcore.strict_json import dumps

    text = dumps({"diff": float("inf"), "values": [float("nan"), 1.5, (float("-inf"),)]})
    assert json.loads(text) == {"diff": None, "values": [None, 1.5, [None]]}


def test_json_holds_an_unexpected_error_too(tmp_path, monkeypatch) -> None:
    import onnxcore.cli

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug nobody foresaw\nsecond line")

    monkeypatch.setattr(onnxcore.cli, "run_export", broken)
    run = InProcess("export", "--json", "-m", str(TINY_BERT), str(tmp_path / "out"), foreseen=False)
    assert run.code == 1
    assert run.strict_json() == {"ok": False, "error": run.error_line.removeprefix("error: "), "exit_code": 1}
    assert run.error_line.startswith("error: unexpected RuntimeError: a bug nobody foresaw")


def test_json_holds_a_plugin_failure_too(tmp_path, monkeypatch) -> None:
    import onnxcore.cli
    from onnxcore.plugins import PluginInfo

    plugin = PluginInfo(name="bert", distribution="onnxcore-bert", version="0.1.0", entry_point="bert = x")
    monkeypatch.setattr(onnxcore.cli, "_failing_plugin", lambda exc: plugin)
    monkeypatch.setattr(onnxcore.cli, "run_export", lambda *args, **kwargs: 1 / 0)
    run = InProcess("export", "--json", "-m", str(TINY_BERT), str(tmp_path / "out"))
    assert run.code == 1
    assert run.strict_json() == {"ok": False, "error": run.error_line.removeprefix("error: "), "exit_code": 1}
    assert "plugin 'bert' (onnxcore-bert 0.1.0) failed: ZeroDivisionError" in run.error_line


def test_a_refused_argument_is_json_too(tmp_path) -> None:
    run = InProcess("export", "--json", "-m", str(TINY_BERT), "--opset", "eleven", str(tmp_path / "out"))
    assert run.code == 2
    assert re.match(
        r"^error: argument --opset: invalid int value: 'eleven' \(see onnxcore export --help\)$", run.error_line
    )
    assert run.strict_json()["exit_code"] == 2


@pytest.mark.parametrize(
    ("source", "name", "text", "what"),
    [
        (TINY_BERT, "tokenizer.json", None, "tokenizer"),
        (TINY_BERT, "tokenizer_config.json", '{"do_lower_case": ', "tokenizer"),
        (TINY_VIT, "preprocessor_config.json", "{not json", "preprocessor"),
    ],
)
def test_a_damaged_preprocessor_file_is_named(tmp_path, source, name, text, what) -> None:
    text = (source / name).read_text()[:300] if text is None else text  # None: the file cut short
    checkpoint = _damaged(tmp_path, source, name, text)
    feature = "image-classification" if source == TINY_VIT else "default"
    run = InProcess("export", "--json", "-m", str(checkpoint), "--feature", feature, str(tmp_path / "out"))
    assert run.code == 2
    expected = (
        rf"^error: cannot read the {what} of {re.escape(str(checkpoint))}: {name} is damaged \(.+\); save it again\.$"
    )
    assert re.match(expected, run.error_line), run.error_line
    assert run.strict_json()["exit_code"] == 2
    assert not (tmp_path / "out").exists()


def test_a_checkpoint_without_preprocessor_files_exports_with_a_notice(tmp_path) -> None:
    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(TINY_BERT / name, checkpoint / name)
    run = InProcess("export", "-m", str(checkpoint), str(tmp_path / "out"))
    assert run.code == 0, run.err
    assert re.search(
        rf"^warning: {re.escape(str(checkpoint))} has no tokenizer or preprocessor that loads; the example inputs"
        " are made from its config alone",
        run.err,
        re.MULTILINE,
    ), run.err
    assert (tmp_path / "out" / "model.onnx").is_file()


@pytest.mark.parametrize(
    ("device", "message"),
    [
        (
            "nonsense",
            r"--device nonsense is not a device PyTorch knows; use --device cpu, or cuda on a machine with a GPU\.",
        ),
        ("cuda", r"--device cuda: no CUDA device is available here; use --device cpu\."),
        ("cuda:1", r"--device cuda:1: no CUDA device is available here; use --device cpu\."),
        ("meta", r"--device meta: onnxcore exports on cpu or cuda; use --device cpu\."),
    ],
)
def test_a_device_that_is_not_there_is_refused_up_front(tmp_path, device, message) -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    run = InProcess("export", "--json", "-m", str(TINY_BERT), "--device", device, str(tmp_path / "out"))
    assert run.code == 2
    assert re.match(f"^error: {message}$", run.error_line), run.error_line
    assert "Loading" not in run.err  # refused before the model loads
    assert run.strict_json()["exit_code"] == 2
    assert not (tmp_path / "out").exists()


def test_a_name_that_is_not_utf8_is_one_clear_line(tmp_path) -> None:
    """A name with bytes that are not UTF-8 (here Latin-1 é) reaches Python as surrogates, which torch and ONNX
    Runtime cannot take."""
    output = Path(os.fsdecode(bytes(tmp_path) + b"/out-\xe9"))
    run = InProcess("export", "-m", str(TINY_BERT), str(output))
    assert run.code == 2
    assert re.match(
        r"^error: the output path b'.*/out-\\xe9' is not UTF-8 text, which torch and ONNX Runtime need; rename it\.$",
        run.error_line,
    ), run.error_line
    assert os.listdir(tmp_path) == []


C_LOCALE = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def _in_the_c_locale(*args: str) -> subprocess.CompletedProcess[bytes]:
    """``python -m onnxcore ARGS`` in the strict C locale: ASCII, no UTF-8 mode, no PYTHONIOENCODING."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONIOENCODING"} | C_LOCALE
    completed = subprocess.run(
        [sys.executable, "-m", "onnxcore", *args], capture_output=True, env=env, cwd=ROOT, timeout=600
    )
    assert completed.returncode == 0, completed.stderr.decode("utf-8", "replace")
    return completed


@pytest.mark.parametrize("name", ["out-é", "出力"])
def test_unicode_paths_work_in_the_c_locale(tmp_path, name) -> None:
    checkpoint, output = tmp_path / "模型-é", tmp_path / name
    shutil.copytree(TINY_BERT, checkpoint)
    exported = _in_the_c_locale("export", "-q", "-m", str(checkpoint), str(output))
    assert exported.stdout.decode("utf-8").strip() == str(output / "model.onnx")
    assert sorted(os.listdir(tmp_path)) == sorted([checkpoint.name, name])
    assert json.loads((output / "onnxcore.json").read_text(encoding="utf-8"))["model"] == str(checkpoint)
    _in_the_c_locale("validate", "-q", str(output))  # finds the checkpoint by the path onnxcore.json records
