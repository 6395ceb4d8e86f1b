"""The output folder contract (DESIGN §7): onnxcore replaces only what it can prove it wrote, all at once.

These tests drive :class:`~onnxcore.staging.StagedOutput` with the files an export writes, without a model, so
that every state of OUT and every failing file system call can be tried in seconds.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from contract_helpers import STAGED, mounted, staged_leftovers, tree, write_export
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onnxcore import staging
from onnxcore.errors import OutputPathError, ValidationError
from onnxcore.staging import StagedOutput, folder_locked

OLD = {"model.onnx": b"old model", "config.json": b'{"old": 1}', "vocab.txt": b"a\nb\n"}
NEW = {"model.onnx": b"new model", "config.json": b'{"new": 1}'}
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a file system needs root (CI runs as root)")


def export_into(output: Path, files: dict[str, bytes] = NEW, **options: object) -> Path:
    """One export as run_export makes it: claim OUT, stage the files, commit."""
    staged = StagedOutput(output, **options)
    with staged as folder:
        write_export(folder, files)
        staged.commit()
    return staged.target


def exported_files(folder: Path) -> dict[str, bytes]:
    return {name: data for name, data in tree(folder).items() if name != "onnxcore.json"}


def test_a_folder_of_user_files_is_refused_up_front(tmp_path, monkeypatch) -> None:
    output = tmp_path / "mine"
    output.mkdir()
    (output / "vocab.txt").write_text("my vocabulary")
    (output / "config.json").write_text("my config")
    before = tree(tmp_path)
    message = r"mine holds files onnxcore did not write \(config.json: not written by onnxcore\); export into a new"
    with pytest.raises(OutputPathError, match=message + ".*--allow-other-files"):
        StagedOutput(output)
    monkeypatch.chdir(output)
    with pytest.raises(OutputPathError, match="did not write"):
        StagedOutput(Path("."))
    assert tree(tmp_path) == before


def test_an_earlier_export_is_replaced_whole(tmp_path) -> None:
    output = tmp_path / "out"
    write_export(output, OLD)
    export_into(output)
    assert exported_files(output) == NEW  # vocab.txt was the old export's own: it went with it
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_an_empty_folder_and_the_working_folder_are_used_in_place(tmp_path, monkeypatch) -> None:
    output = tmp_path / "out"
    output.mkdir(mode=0o750)
    monkeypatch.chdir(output)
    export_into(Path("."))
    assert exported_files(output) == NEW and Path.cwd() == output and os.listdir(".") == os.listdir(output)
    export_into(Path("."), OLD)  # over an earlier export in the working folder: the shell stays in a live folder
    assert exported_files(Path(".")) == OLD
    assert (output.stat().st_mode & 0o777) == 0o750


def _edit(folder: Path, edit: str) -> None:
    manifest = json.loads((folder / "onnxcore.json").read_text())
    files = manifest["files"]
    if edit == "list a user file":
        files["notes.txt"] = {"sha256": "0" * 64, "bytes": 5}
    elif edit == "dot key":
        files["."] = {"sha256": "0" * 64, "bytes": 0}
    elif edit == "path key":
        files["../secret.txt"] = {"sha256": "0" * 64, "bytes": 0}
    elif edit == "files a list":
        manifest["files"] = []
    elif edit == "no sha256":
        files["vocab.txt"] = {"bytes": 5}
    elif edit == "not onnxcore's":
        del manifest["onnxcore"]
    (folder / "onnxcore.json").write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ("list a user file", r"notes.txt: changed since onnxcore wrote it"),
        ("dot key", r"onnxcore.json: not valid: files has '.'"),
        ("path key", r"onnxcore.json: not valid: files has '../secret.txt'"),
        ("files a list", r"onnxcore.json: not valid: files must be an object of file names, not list"),
        ("no sha256", r"onnxcore.json: not valid: files.vocab.txt has no sha256"),
        ("not onnxcore's", r"onnxcore.json: not written by onnxcore"),
    ],
)
def test_an_edited_manifest_proves_nothing(tmp_path, edit, why) -> None:
    output = tmp_path / "out"
    write_export(output, OLD)
    (output / "notes.txt").write_text("mine!")
    (tmp_path / "secret.txt").write_text("mine too")
    _edit(output, edit)
    before = tree(tmp_path)
    with pytest.raises(OutputPathError, match=why):
        StagedOutput(output)
    assert tree(tmp_path) == before


def test_a_changed_or_linked_file_is_not_onnxcore_s(tmp_path) -> None:
    output = tmp_path / "out"
    write_export(output, OLD)
    (output / "vocab.txt").write_text("edited by hand")
    with pytest.raises(OutputPathError, match=r"vocab.txt: changed since onnxcore wrote it"):
        StagedOutput(output)
    (tmp_path / "elsewhere.txt").write_bytes(OLD["vocab.txt"])
    (output / "vocab.txt").unlink()
    (output / "vocab.txt").symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(OutputPathError, match=r"vocab.txt: a link"):
        StagedOutput(output)


def test_other_files_are_written_beside_and_never_over(tmp_path) -> None:
    output = tmp_path / "out"
    write_export(output, OLD)
    (output / "notes.txt").write_text("mine!")
    (output / "data").mkdir()
    export_into(output, allow_other_files=True)
    assert exported_files(output) == NEW | {"notes.txt": b"mine!", "data": "dir"}
    (output / "config.json").unlink()
    (output / "config.json").write_text("my own config")
    with pytest.raises(OutputPathError, match=r"out/config.json is not onnxcore's, and the export writes a file"):
        StagedOutput(output, allow_other_files=True)


def test_a_clash_found_only_at_the_end_writes_nothing(tmp_path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "vocab.txt").write_text("my vocabulary")
    before = tree(tmp_path)
    with pytest.raises(OutputPathError, match=r"vocab.txt is not onnxcore's"):
        export_into(output, OLD, allow_other_files=True)  # the tokenizer files are known only once saved
    assert tree(tmp_path) == before and staged_leftovers(tmp_path, output) == []


def test_the_checkpoint_is_never_an_output(tmp_path) -> None:
    checkpoint = tmp_path / "checkpoint"
    write_export(checkpoint, {"config.json": b"{}", "model.safetensors": b"weights"})  # even one with a manifest
    with pytest.raises(OutputPathError, match="is the checkpoint's folder or holds it; export into another folder"):
        StagedOutput(checkpoint, checkpoint=str(checkpoint))
    with pytest.raises(OutputPathError, match="is the checkpoint's folder or holds it"):
        StagedOutput(tmp_path, checkpoint=str(checkpoint))
    output = tmp_path / "out"
    write_export(output, OLD)
    (output / "weights").hardlink_to(checkpoint / "model.safetensors")
    with pytest.raises(OutputPathError, match=r"out/weights is a file of the checkpoint"):
        StagedOutput(output, checkpoint=str(checkpoint), allow_other_files=True)
    export_into(checkpoint / "onnx", checkpoint=str(checkpoint))  # a folder inside the checkpoint is fine


def test_keep_failed_never_replaces_a_folder_it_did_not_write(tmp_path) -> None:
    output = tmp_path / "out"

    def fail_validation() -> Path | None:
        staged = StagedOutput(output, keep_failed=True)
        with contextlib.suppress(ValidationError), staged as folder:
            write_export(folder, NEW)
            raise ValidationError("validation failed for last_hidden_state")
        return staged.kept

    assert fail_validation() == tmp_path / "out.failed"
    assert exported_files(tmp_path / "out.failed") == NEW and not output.exists()
    assert json.loads((tmp_path / "out.failed" / "onnxcore.json").read_text())["failed"].startswith("validation")
    assert fail_validation() == tmp_path / "out.failed"  # its own earlier rejected export: replaced
    (tmp_path / "out.failed" / "analysis.txt").write_text("my notes on the failure")
    before = tree(tmp_path)
    with pytest.raises(OutputPathError, match=r"--keep-failed: .*out.failed holds files onnxcore did not write"):
        StagedOutput(output, keep_failed=True)
    assert tree(tmp_path) == before


@needs_root
def test_a_mount_point_and_dot_at_its_root_work(tmp_path, monkeypatch) -> None:
    with mounted(tmp_path / "volume") as volume:
        export_into(volume)
        assert exported_files(volume) == NEW and staged_leftovers(volume, tmp_path) == []
        monkeypatch.chdir(volume)
        export_into(Path("."), OLD)
        assert exported_files(volume) == OLD and staged_leftovers(volume, tmp_path) == []


@needs_root
def test_a_writable_output_under_a_read_only_parent_works(tmp_path) -> None:
    parent = tmp_path / "parent"
    with mounted(parent):
        (parent / "out").mkdir()
        subprocess.run(["mount", "--bind", str(parent / "out"), str(parent / "out")], check=True)
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(parent)], check=True)
            with pytest.raises(OSError, match="Read-only"):
                (parent / "probe").mkdir()
            export_into(parent / "out")
            assert exported_files(parent / "out") == NEW
        finally:
            subprocess.run(["umount", str(parent / "out")], check=True)


def test_a_name_the_os_accepts_works_and_a_longer_one_is_refused_up_front(tmp_path) -> None:
    assert export_into(tmp_path / ("n" * 255)).name == "n" * 255
    with pytest.raises(OutputPathError, match="output name n+… is 256 bytes; the file system takes at most 255"):
        StagedOutput(tmp_path / ("n" * 256))
    with pytest.raises(OutputPathError, match=r"--keep-failed: output name k+… is 261 bytes"):
        StagedOutput(tmp_path / ("k" * 254), keep_failed=True)
    deep = tmp_path.joinpath(*["d" * 200] * 20)
    with pytest.raises(OutputPathError, match=r"is too long \(\d+ bytes; onnxcore needs \d+ more below it"):
        StagedOutput(deep)
    assert sorted(os.listdir(tmp_path)) == ["n" * 255]


_STAGE_AND_WAIT = """
import sys, time
from pathlib import Path
from onnxcore.staging import StagedOutput
staged = StagedOutput(Path(sys.argv[1]))
folder = staged.__enter__()
(folder / "model.onnx").write_bytes(b"half written")
print(folder, flush=True)
time.sleep(600)
"""


def _staging_process(output: Path) -> tuple[subprocess.Popen[str], Path]:
    process = subprocess.Popen([sys.executable, "-c", _STAGE_AND_WAIT, str(output)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    return process, Path(process.stdout.readline().strip())


def test_a_killed_run_s_staged_folder_is_removed_by_the_next_and_a_live_one_is_not(tmp_path) -> None:
    output = tmp_path / "out"
    killed, left = _staging_process(output)
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=30)
    assert left.is_dir() and STAGED.match(left.name)
    alive, running = _staging_process(output)
    try:
        export_into(output)
        assert not left.exists() and running.is_dir()  # a live export's staged folder is its own business
    finally:
        alive.kill()
        alive.wait(timeout=30)
    assert exported_files(output) == NEW


def test_a_commit_waits_for_readers_and_readers_for_a_commit(tmp_path) -> None:
    output = tmp_path / "out"
    write_export(output, OLD)
    staged = StagedOutput(output)
    with staged as folder:
        write_export(folder, NEW)
        with folder_locked(tmp_path, shared=True):  # validate FOLDER is reading the old export
            mover = threading.Thread(target=staged.commit)
            mover.start()
            time.sleep(0.3)
            assert mover.is_alive() and exported_files(output) == OLD
        mover.join(timeout=10)
    assert exported_files(output) == NEW


def test_renames_replace_an_export_where_the_file_system_cannot_exchange(tmp_path, monkeypatch) -> None:
    def no_exchange(first: Path, second: Path) -> None:
        raise OSError(errno.EINVAL, "Invalid argument")

    monkeypatch.setattr(staging.fs, "exchange", no_exchange)
    output = tmp_path / "out"
    write_export(output, OLD)
    export_into(output)
    assert exported_files(output) == NEW and sorted(os.listdir(tmp_path)) == ["out"]


# The property: whatever OUT holds before a run, and whichever file system call of the commit fails, every file
# onnxcore did not write is byte-identical after it, OUT holds the old export or the new one, nothing is staged.

STATES = ("absent", "empty", "export", "export and user files", "user files", "edited", "link", "checkpoint")
EDITS = ("list a user file", "dot key", "path key", "files a list", "no sha256", "not onnxcore's")


def _prepare(output: Path, state: str, edit: str) -> tuple[set[str], str | None]:
    """Put OUT in ``state``; return the names in it onnxcore cannot prove it wrote, and the checkpoint."""
    if state == "absent":
        return set(), None
    output.mkdir(exist_ok=True)
    if state == "empty":
        return set(), None
    if state == "user files":
        (output / "notes.txt").write_text("mine")
        (output / "own").mkdir()
        (output / "own" / "deep.txt").write_text("mine too")
        return {"notes.txt", "own"}, None
    write_export(output, OLD)
    if state == "export":
        return set(), None
    if state == "export and user files":
        (output / "notes.txt").write_text("mine")
        return {"notes.txt"}, None
    if state == "link":
        (output.parent / "secret.txt").write_bytes(OLD["vocab.txt"])
        (output / "vocab.txt").unlink()
        (output / "vocab.txt").symlink_to(output.parent / "secret.txt")
        return {"vocab.txt"}, None
    if state == "checkpoint":
        return set(os.listdir(output)), str(output)
    (output / "notes.txt").write_text("mine")
    _edit(output, edit)
    return ({"notes.txt"} if edit == "list a user file" else set(os.listdir(output))), None


class _Faults:
    """Make the k-th file system call of staging fail once, with EIO."""

    def __init__(self, at: int | None) -> None:
        self.at, self.calls = at, 0
        self.saved = vars(staging.fs).copy()

    def __enter__(self) -> _Faults:
        for name, call in self.saved.items():
            setattr(staging.fs, name, self._failing(call))
        return self

    def _failing(self, call):  # type: ignore[no-untyped-def]
        def wrapper(*args: object) -> object:
            self.calls += 1
            if self.calls - 1 == self.at:
                raise OSError(errno.EIO, "Input/output error (injected)")
            return call(*args)

        return wrapper

    def __exit__(self, *exc: object) -> None:
        vars(staging.fs).update(self.saved)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    state=st.sampled_from(STATES),
    edit=st.sampled_from(EDITS),
    on_a_mount=st.booleans() if os.geteuid() == 0 else st.just(False),
    allow_other_files=st.booleans(),
    fault=st.none() | st.integers(min_value=0, max_value=12),
)
def test_no_state_and_no_failure_loses_a_file(tmp_path, state, edit, on_a_mount, allow_other_files, fault) -> None:
    base = Path(tempfile.mkdtemp(dir=tmp_path))
    output = base / "out"
    (base / "beside.txt").write_text("a user's file beside OUT")
    with mounted(output) if on_a_mount else contextlib.nullcontext():
        foreign, checkpoint = _prepare(output, state, edit)
        before = tree(base)
        with _Faults(fault):
            try:
                export_into(output, checkpoint=checkpoint, allow_other_files=allow_other_files)
                outcome = "written"
            except OutputPathError:
                outcome = "refused"
            except OSError as exc:
                assert "injected" in str(exc)
                outcome = "failed"
        after = tree(base)
        assert staged_leftovers(base, output) == []
    if fault is None:
        clash = bool(foreign & {"onnxcore.json", "config.json", "model.onnx"})
        refused = checkpoint is not None or (bool(foreign) and not allow_other_files) or clash
        assert outcome == ("refused" if refused else "written"), (state, edit, foreign)
    if outcome != "written":
        assert after == before  # the old export byte for byte, and everything else with it
        return
    untouched = {key: value for key, value in before.items() if key.split("/")[1:2] and key.split("/")[1] in foreign}
    assert {key: after.get(key) for key in untouched} == untouched
    assert {key: after[key] for key in after if not key.startswith("out")} == {
        key: before[key] for key in before if not key.startswith("out")
    }
    ours = {key.removeprefix("out/"): value for key, value in after.items() if key.startswith("out/")}
    ours = {key: value for key, value in ours.items() if key.split("/")[0] not in foreign}
    manifest = json.loads(ours.pop("onnxcore.json"))
    assert ours == NEW and set(manifest["files"]) == set(NEW)
    assert all(hashlib.sha256(NEW[name]).hexdigest() == entry["sha256"] for name, entry in manifest["files"].items())


# Found by review: each a way the contract could break, now a test.


def test_a_live_staged_folder_is_kept_whatever_its_pid_says(tmp_path) -> None:
    """A container's run on this machine: same boot, its own pids, so its pid means nothing here. Its lock on
    the folder says it lives."""
    import fcntl

    dead = tmp_path / f".onnxcore-staging-{staging._boot_id()}-999999999-1-0123abcd"
    alive = tmp_path / f".onnxcore-staging-{staging._boot_id()}-999999998-1-4567cdef"
    dead.mkdir()
    alive.mkdir()
    descriptor = os.open(alive, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        assert staging.remove_stale_staging(tmp_path) == [dead] and alive.is_dir()
    finally:
        os.close(descriptor)
    assert staging.remove_stale_staging(tmp_path) == [alive]


def test_a_file_written_into_the_old_export_during_the_swap_is_kept(tmp_path, monkeypatch) -> None:
    output = tmp_path / "out"
    write_export(output, OLD)
    exchange = staging.fs.exchange

    def late_write(first: Path, second: Path) -> None:
        (second / "late.txt").write_text("written by another program just now")
        exchange(first, second)

    monkeypatch.setattr(staging.fs, "exchange", late_write)
    with pytest.warns(UserWarning, match=r"late.txt appeared in the earlier one while it was replaced, and is kept"):
        export_into(output)
    (kept,) = [path for path in tmp_path.iterdir() if path.name.startswith("onnxcore-kept-")]
    assert (kept / "late.txt").read_text() == "written by another program just now"
    assert exported_files(output) == NEW and staged_leftovers(tmp_path) == []


def test_a_file_that_appears_where_a_new_file_goes_is_never_replaced(tmp_path, monkeypatch) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "notes.txt").write_text("mine")
    move_new = staging.fs.move_new

    def racing(source: Path, destination: Path) -> None:
        if destination.name == "model.onnx":
            destination.write_text("a file another program wrote just now")
        move_new(source, destination)

    monkeypatch.setattr(staging.fs, "move_new", racing)
    with pytest.raises(FileExistsError):
        export_into(output, allow_other_files=True)
    assert (output / "model.onnx").read_text() == "a file another program wrote just now"
    assert sorted(os.listdir(output)) == ["model.onnx", "notes.txt"]


def test_out_replaced_during_the_export_is_left_alone(tmp_path) -> None:
    output = tmp_path / "out"
    write_export(output, OLD)
    staged = StagedOutput(output)
    with pytest.raises(OutputPathError, match="was replaced or removed during the export; nothing was written"):
        with staged as folder:
            write_export(folder, NEW)
            shutil.rmtree(output)
            output.write_text("a user's file, where the folder was")
            staged.commit()
    assert output.read_text() == "a user's file, where the folder was" and staged_leftovers(tmp_path) == []


def test_an_empty_folder_keeps_its_owner_and_an_earlier_export_its_owner_too(tmp_path) -> None:
    empty, earlier = tmp_path / "empty", tmp_path / "earlier"
    empty.mkdir()
    write_export(earlier, OLD)
    inode = empty.stat().st_ino
    for folder in (empty, earlier):
        os.chown(folder, 65534, 65534)
        export_into(folder)
        assert (folder.stat().st_uid, folder.stat().st_gid) == (65534, 65534), folder
    assert empty.stat().st_ino == inode  # the empty one took the files in place
    assert exported_files(empty) == NEW == exported_files(earlier)


def test_a_manifest_that_is_no_regular_file_or_nests_deep_is_one_line(tmp_path) -> None:
    fifo = tmp_path / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / "onnxcore.json")
    with pytest.raises(OutputPathError, match=r"onnxcore.json: not readable as onnxcore's \(onnxcore.json is not"):
        StagedOutput(fifo)  # a FIFO would block a plain read forever
    deep = tmp_path / "deep"
    deep.mkdir()
    (deep / "onnxcore.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(OutputPathError, match=r"nested too deeply"):
        StagedOutput(deep)


def test_a_name_with_a_line_break_stays_on_one_line_and_the_root_is_refused(tmp_path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    (output / "a\nb").write_text("mine")
    with pytest.raises(OutputPathError, match=r"\('a\\nb': not written by onnxcore\)") as refused:
        StagedOutput(output)
    assert "\n" not in str(refused.value)
    with pytest.raises(OutputPathError, match="is the root of the file system"):
        StagedOutput(Path("/"), allow_other_files=True)


@needs_root
def test_a_bind_mount_of_the_same_file_system_is_staged_inside(tmp_path) -> None:
    source, output = tmp_path / "source", tmp_path / "out"
    source.mkdir()
    output.mkdir()
    subprocess.run(["mount", "--bind", str(source), str(output)], check=True)
    try:
        write_export(output, OLD)
        assert StagedOutput(output).claim.in_place
        export_into(output)
        assert exported_files(source) == NEW
    finally:
        subprocess.run(["umount", str(output)], check=True)


@needs_root
def test_keep_failed_on_a_mount_point_is_refused_up_front(tmp_path) -> None:
    with mounted(tmp_path / "volume") as volume:
        with pytest.raises(OutputPathError, match="--keep-failed: .* is a mount point, and .* on another file system"):
            StagedOutput(volume, keep_failed=True)
