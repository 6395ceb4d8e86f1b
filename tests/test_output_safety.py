"""The output folder contract from the CLI, on real exports (docs/output-folder.md): each way onnxcore used to
lose a user's file, and the places an export must work that it did not."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import TINY_BERT, TINY_VIT, TINY_WHISPER, run_cli

from onnxcore.staging import folder_locked

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root (CI runs as root)")


def cli(*args: str) -> tuple[int, str, str]:
    """``onnxcore ARGS`` in this process: (exit code, stdout, the error line or '')."""
    run = run_cli(*args)
    return run.code, run.out, run.error_line if run.code else ""


def hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_a_user_folder_is_refused_before_the_model_loads(tmp_path, monkeypatch) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "vocab.txt").write_text("my vocabulary")
    (mine / "tokenizer.json").mkdir()
    before = hashes(tmp_path)
    started = time.monotonic()
    code, _, error = cli("export", "-m", str(TINY_BERT), str(mine))
    assert code == 2 and "mine holds files onnxcore did not write (tokenizer.json: a folder)" in error
    assert "--allow-other-files" in error and time.monotonic() - started < 5  # refused before any model loaded
    monkeypatch.chdir(mine)
    code, _, error = cli("export", "-m", str(TINY_BERT), ".")
    assert code == 2 and "holds files onnxcore did not write" in error
    assert hashes(tmp_path) == before and (mine / "tokenizer.json").is_dir()


@pytest.mark.parametrize(
    ("checkpoint", "args"),
    [(TINY_WHISPER, ["--feature", "speech2seq-lm", "--preprocessor", "tokenizer"]), (TINY_BERT, [])],
)
def test_the_checkpoint_folder_is_refused(tmp_path, checkpoint, args) -> None:
    folder = tmp_path / "checkpoint"
    shutil.copytree(checkpoint, folder)
    before = hashes(folder)
    code, _, error = cli("export", "-m", str(folder), *args, str(folder))
    assert code == 2 and "is the checkpoint's folder or holds it; export into another folder" in error
    assert hashes(folder) == before


def test_vit_into_a_bert_checkpoint_folder_is_refused(tmp_path) -> None:
    bert = tmp_path / "bert"
    shutil.copytree(TINY_BERT, bert)
    before = hashes(bert)
    code, _, error = cli("export", "-m", str(TINY_VIT), "--feature", "image-classification", str(bert))
    assert code == 2 and "bert holds files onnxcore did not write (config.json" in error
    assert hashes(bert) == before


def test_an_earlier_export_is_replaced_whole_and_an_edited_manifest_proves_nothing(tmp_path) -> None:
    output = tmp_path / "out"
    assert cli("export", "-q", "-m", str(TINY_BERT), "--external-data", str(output))[0] == 0
    assert (output / "model.onnx.data").is_file()
    assert cli("export", "-q", "-m", str(TINY_BERT), str(output))[0] == 0
    assert not (output / "model.onnx.data").exists() and sorted(os.listdir(tmp_path)) == ["out"]
    assert cli("validate", "-q", str(output))[0] == 0
    manifest = json.loads((output / "onnxcore.json").read_text())
    (output / "notes.txt").write_text("my notes")
    manifest["files"]["notes.txt"] = {"sha256": "0" * 64, "bytes": 8}
    (output / "onnxcore.json").write_text(json.dumps(manifest))
    code, _, error = cli("export", "-m", str(TINY_BERT), str(output))
    assert code == 2 and "(notes.txt: changed since onnxcore wrote it)" in error
    manifest["files"]["."] = manifest["files"].pop("notes.txt")
    (output / "onnxcore.json").write_text(json.dumps(manifest))
    before = hashes(output)
    code, _, error = cli("export", "-m", str(TINY_BERT), str(output))
    assert code == 2 and "(onnxcore.json: not valid: files has '.'" in error
    assert hashes(output) == before


def test_keep_failed_never_removes_a_folder_it_did_not_create(tmp_path) -> None:
    (tmp_path / "out.failed").mkdir()
    (tmp_path / "out.failed" / "analysis.txt").write_text("my notes")
    code, _, error = cli("export", "-m", str(TINY_BERT), "--atol", "1e-30", "--keep-failed", str(tmp_path / "out"))
    assert code == 2 and "--keep-failed: " in error and "out.failed holds files onnxcore did not write" in error
    assert (tmp_path / "out.failed" / "analysis.txt").read_text() == "my notes"
    assert sorted(os.listdir(tmp_path)) == ["out.failed"]


def test_other_files_stay_beside_an_export_with_the_flag(tmp_path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "README.md").write_text("my notes")
    assert cli("export", "-q", "-m", str(TINY_BERT), "--allow-other-files", str(output))[0] == 0
    assert cli("export", "-q", "-m", str(TINY_BERT), "--allow-other-files", str(output))[0] == 0
    assert (output / "README.md").read_text() == "my notes" and cli("validate", "-q", str(output))[0] == 0
    (output / "config.json").unlink()
    (output / "config.json").write_text("{}")
    code, _, error = cli("export", "-m", str(TINY_BERT), "--allow-other-files", str(output))
    assert code == 2 and "out/config.json is not onnxcore's" in error


def test_onnxcore_json_of_the_wrong_shape_is_one_line(tmp_path) -> None:
    output = tmp_path / "out"
    assert cli("export", "-q", "-m", str(TINY_BERT), str(output))[0] == 0
    manifest = json.loads((output / "onnxcore.json").read_text())
    for field, value, problem in [
        ("files", [], "files must be an object of file names, not \\[\\]"),
        ("feature", None, "feature must be a string, not null"),
        ("generation", {"prompts": "hi"}, "generation.prompts must be a list of strings"),
        ("validation", {"model.onnx": []}, "validation.model.onnx must be an object with a numeric atol"),
    ]:
        (output / "onnxcore.json").write_text(json.dumps(manifest | {field: value}))
        code, out, error = cli("validate", "--json", str(output))
        assert code == 2 and re.search(f"onnxcore.json is not valid: {problem}", error), error
        assert json.loads(out)["exit_code"] == 2


@needs_root
def test_a_mount_point_and_dot_at_its_root(tmp_path, monkeypatch) -> None:
    volume = tmp_path / "volume"
    volume.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(volume)], check=True)  # as a Docker volume is
    try:
        assert cli("export", "-q", "-m", str(TINY_BERT), str(volume))[0] == 0
        monkeypatch.chdir(volume)
        assert cli("export", "-q", "-m", str(TINY_BERT), "--feature", "masked-lm", ".")[0] == 0
        assert json.loads((volume / "onnxcore.json").read_text())["feature"] == "masked-lm"
        assert cli("validate", "-q", ".")[0] == 0
        assert not [name for name in os.listdir(volume) if name.startswith(".")]
    finally:
        os.chdir(tmp_path)
        subprocess.run(["umount", str(volume)], check=True)


def test_validate_waits_for_an_export_moving_in(tmp_path) -> None:
    output = tmp_path / "out"
    assert cli("export", "-q", "-m", str(TINY_BERT), str(output))[0] == 0
    codes: list[int] = []
    with folder_locked(tmp_path):  # an export is swapping itself into tmp_path/out
        reader = threading.Thread(target=lambda: codes.append(cli("validate", "-q", str(output))[0]))
        reader.start()
        time.sleep(1.0)
        assert reader.is_alive() and codes == []
    reader.join(timeout=120)
    assert codes == [0]


def test_a_run_killed_with_sigkill_is_cleaned_up_by_the_next(tmp_path) -> None:
    output = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "onnxcore", "export", "-m", str(TINY_BERT), str(output)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("Exporting"):
            break
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    left = [name for name in os.listdir(tmp_path) if name.startswith(".onnxcore-staging-")]
    assert len(left) == 1 and not output.exists()
    assert cli("export", "-q", "-m", str(TINY_BERT), str(output))[0] == 0
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_a_user_model_onnx_beside_is_refused_before_the_export(tmp_path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "model.onnx").write_text("my own model")
    started = time.monotonic()
    code, _, error = cli("export", "-m", str(TINY_BERT), "--allow-other-files", str(output))
    assert code == 2 and "out/model.onnx is not onnxcore's, and the export writes a file of that name" in error
    assert time.monotonic() - started < 8 and (output / "model.onnx").read_text() == "my own model"


def test_several_features_refuse_a_failed_folder_that_is_not_onnxcore_s_up_front(tmp_path) -> None:
    output = tmp_path / "out"
    (output / "masked-lm.failed").mkdir(parents=True)
    (output / "masked-lm.failed" / "notes.txt").write_text("mine")
    code, _, error = cli("export", "-m", str(TINY_BERT), "--feature", "default,masked-lm", "--keep-failed", str(output))
    assert code == 2 and "--keep-failed: " in error and "masked-lm.failed holds files onnxcore did not write" in error
    assert sorted(os.listdir(output)) == ["masked-lm.failed"]
