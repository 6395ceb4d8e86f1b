"""Atomic output: build an export in a temporary folder beside the target, move it into place when done.

A failed or interrupted run removes its temporary folder and leaves the target as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from .errors import OutputPathError, ValidationError

MANIFEST_NAME = "onnxcore.json"


def check_output_path(output: Path) -> None:
    """Fail early (before any model loads) when ``output`` cannot receive an export."""
    if output.exists() and not output.is_dir():
        raise OutputPathError(
            f"output path {output} is an existing file; give a folder (the export writes {output}/model.onnx)."
        )
    ancestor = output if output.exists() else output.parent
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if ancestor.exists() and not ancestor.is_dir():
        raise OutputPathError(f"cannot create output folder {output}: {ancestor} is a file.")
    try:  # a real probe: os.access says yes to root even on a read-only file system
        Path(tempfile.mkdtemp(prefix=".onnxcore-probe-", dir=ancestor)).rmdir()
    except OSError as exc:
        raise OutputPathError(
            f"output folder {output} is not writable ({ancestor}: {exc.strerror or exc}); pick another path."
        ) from exc


class StagedOutput:
    """Context manager yielding a temporary folder; ``commit()`` moves its files into the target folder.

    ``keep_failed``: where the staged files go when validation fails (a folder beside the target, replaced if it
    exists), instead of being deleted.
    """

    def __init__(self, target: Path, keep_failed: Path | None = None) -> None:
        self.target = Path(target).resolve()  # "." has no name to stage beside; a symlink's folder is the target
        self.keep_failed = keep_failed
        self.kept: Path | None = None  # where a failed export's files were kept, once they were
        self.path: Path | None = None
        self._committed = False

    def __enter__(self) -> Path:
        """Create the temporary folder and return its path."""
        check_output_path(self.target)
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.onnxcore-", dir=self.target.parent))
            umask = os.umask(0)
            os.umask(umask)
            self.path.chmod(0o777 & ~umask)  # mkdtemp makes 0700; the final folder should look like any other
        except OSError as exc:
            raise OutputPathError(
                f"cannot write beside {self.target}: {exc.strerror or exc}; pick another path."
            ) from exc
        return self.path

    def commit(self) -> None:
        """Move the staged files into the target; files of the previous export that are gone are removed.

        Ctrl-C and SIGTERM wait until the move is done, and so does another export finishing into the same
        folder: one file moved of several would mix two exports.
        """
        assert self.path is not None
        with folder_locked(self.target.parent), _signals_held():  # waiting for the lock can still be interrupted
            self._move_into_place()
            self._committed = True

    def _move_into_place(self) -> None:
        assert self.path is not None
        if not self.target.exists():
            os.rename(self.path, self.target)
        else:
            previous = _manifest_files(self.target)
            staged = sorted(p.name for p in self.path.iterdir())
            for name in staged:
                destination = self.target / name
                if destination.is_dir() and not destination.is_symlink():
                    shutil.rmtree(destination)
                os.replace(self.path / name, destination)
            for name in previous - set(staged):
                (self.target / name).unlink(missing_ok=True)
            self.path.rmdir()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._committed and isinstance(exc, KeyboardInterrupt):  # it came during the move, which it waited for
            note_written(exc, self.target)
        if self._committed or self.path is None:
            return
        if self.keep_failed is not None and isinstance(exc, ValidationError):
            try:
                if self.keep_failed.is_dir() and not self.keep_failed.is_symlink():
                    shutil.rmtree(self.keep_failed)
                os.rename(self.path, self.keep_failed)
                self.kept = self.keep_failed
                return
            except OSError:  # not kept (the caller says so); the validation error is the news, not this
                pass
        shutil.rmtree(self.path, ignore_errors=True)


def note_written(stop: BaseException, folder: Path) -> None:
    """Record on an interruption (Ctrl-C, SIGTERM) that ``folder`` was completely written before it came."""
    vars(stop)["written"] = [*written_before(stop), folder]


def written_before(stop: BaseException) -> list[Path]:
    """The folders :func:`note_written` recorded on ``stop``."""
    return list(getattr(stop, "written", []))


@contextlib.contextmanager
def folder_locked(folder: Path) -> Iterator[None]:
    """An exclusive advisory lock on ``folder`` (flock on the directory itself: no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: moves are not serialized
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM arriving in the block take effect when it ends.

    Done with Python handlers, not a signal mask: torch's and ONNX Runtime's threads do not share a mask set here,
    and the kernel hands a process's signal to any thread that does not block it. Only the main thread can set
    handlers; elsewhere the block is not protected.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {
        number: signal.signal(number, lambda received, _frame: caught.append(received))
        for number in (signal.SIGINT, signal.SIGTERM)
        if signal.getsignal(number) != signal.SIG_IGN
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for number in caught:
            signal.raise_signal(number)  # through the handler (or default action) the caller had


def _manifest_files(folder: Path) -> set[str]:
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return set()
    return {name for name in manifest.get("files", {}) if "/" not in name and name != ".."}
