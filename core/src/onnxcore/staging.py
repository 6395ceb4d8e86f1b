"""The output folder contract (DESIGN §7): onnxcore writes only into a folder it can prove is its own, and
replaces an earlier export all at once.

- **Up front**, before any model loads, :func:`claim_output` surveys OUT. It is onnxcore's when it is new or
  empty, or an earlier export whose every file is listed in its ``onnxcore.json`` with the same size and sha256.
  Anything else (a file it did not write, a changed file, a folder, a link, the checkpoint itself) is refused
  with one line naming the first such entry; ``allow_other_files`` writes beside such files instead, never over
  them.
- **Staging** lives on OUT's own file system, so the final move is a rename: beside OUT normally, inside OUT when
  OUT is a mount point, its parent is not writable, or it holds the working folder or files onnxcore did not
  write.
- **The commit** re-surveys OUT under an exclusive lock (``validate`` takes the shared side), then swaps the
  staged folder with OUT in one ``renameat2(RENAME_EXCHANGE)`` (two renames where the file system lacks it), or,
  staged inside OUT, moves the old export aside and the new one in, undoing every move on any error. Either way
  a failure leaves the old export byte for byte.
- **Leftovers**: a staged folder's name carries its process (boot, pid and start time), so a run killed with
  SIGKILL leaves a folder that a later run into the same place can prove is a dead process's and remove.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import errno
import os
import re
import secrets
import shutil
import signal
import stat
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace, TracebackType

from . import strict_json
from .errors import OutputPathError, ValidationError, first_line
from .manifest import (
    MANIFEST_NAME,
    export_file_names,
    files_problem,
    parse_manifest_text,
    read_manifest_text,
    sha256_of,
)
from .runtimes import ONNX_FOLDER

STAGING_PREFIX = ".onnxcore-staging-"
FAILED_SUFFIX = ".failed"
_STAGING_NAME = re.compile(r"^\.onnxcore-staging-([0-9a-f]{8}|x)-(\d+)-(\d+)-[0-9a-f]{8}(-old)?$")
_PROBE_NAME = re.compile(r"^\.onnxcore-staging-probe-[0-9a-f]{8}$")
# the longest path onnxcore writes below its staging folder (external data is gathered into a .partial first)
_DEEPEST_NAME = f"{ONNX_FOLDER}/decoder_with_past_model.onnx.data.partial"
_STAGING_NAME_LENGTH = len(STAGING_PREFIX) + 8 + 1 + 10 + 1 + 20 + 1 + 8 + 4
_NO_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}

#: Every file system call a commit makes, in one place, so that a test can make any one of them fail.
fs = SimpleNamespace(rename=os.rename, unlink=os.unlink, rmdir=os.rmdir, mkdir=os.mkdir)
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2

#: Folders a commit moved the old export into, each with the files of it onnxcore proved it wrote.
Emptied = list[tuple[Path, dict[str, tuple[int, ...]]]]


def _renameat2(first: Path, second: Path, flags: int) -> None:
    """Linux ``renameat2``; raises OSError, with ENOSYS where the C library lacks the call and EINVAL where the
    file system lacks the flag."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available", str(first))
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), flags) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first), None, str(second))


def _exchange(first: Path, second: Path) -> None:
    """Swap two paths in one step."""
    _renameat2(first, second, _RENAME_EXCHANGE)


def _move_new(source: Path, destination: Path) -> None:
    """Rename ``source`` to ``destination`` only if nothing is there (a file that appeared since the survey is
    never replaced); where the file system lacks the flag, a check just before a plain rename."""
    try:
        _renameat2(source, destination, _RENAME_NOREPLACE)
    except OSError as exc:
        if exc.errno not in _NO_EXCHANGE:
            raise
        if os.path.lexists(destination):
            raise FileExistsError(errno.EEXIST, "File exists", str(destination)) from None
        os.rename(source, destination)


fs.exchange = _exchange
fs.move_new = _move_new


@dataclasses.dataclass
class OutputClaim:
    """What :func:`claim_output` found at OUT, and so what a commit may replace.

    ``owned``: the entries onnxcore proved it wrote, by name, with the stat identity they were proved with.
    ``foreign``: the entries it did not write (only with ``allow_other_files``); never moved or replaced.
    ``in_place``: stage inside OUT rather than beside it.
    """

    target: Path
    owned: dict[str, tuple[int, ...]]
    foreign: frozenset[str]
    in_place: bool
    identity: tuple[int, int] | None  # OUT's (device, inode), None when it did not exist

    def refuse_clashes(self, names: Iterable[str]) -> None:
        """Refuse now, before the work, names the export will write that a foreign file has."""
        _refuse_clashes(self.target, self.foreign, names)


def _identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def survey(
    folder: Path, known: dict[str, tuple[int, ...]] | None = None
) -> tuple[dict[str, tuple[int, ...]], dict[str, str]]:
    """The entries of ``folder`` onnxcore proved it wrote (``owned``), and the others with why (``foreign``).

    Staged folders are neither. A file is proved by its earlier export's ``onnxcore.json``: listed there, a
    regular file (not a link) of the recorded size and sha256. ``known`` skips the hash of files whose stat
    identity has not changed since they were proved.
    """
    known = known or {}
    entries = sorted(  # the manifest first: when it cannot serve as proof, that is what a refusal names
        (name for name in os.listdir(folder) if not (_STAGING_NAME.match(name) or _PROBE_NAME.match(name))),
        key=lambda name: (name != MANIFEST_NAME, name),
    )
    listed, why_not = _manifest_files(folder) if MANIFEST_NAME in entries else ({}, None)
    owned: dict[str, tuple[int, ...]] = {}
    foreign: dict[str, str] = {}
    for name in entries:
        info = os.lstat(folder / name)
        if name == MANIFEST_NAME:
            if why_not is None and stat.S_ISREG(info.st_mode):
                owned[name] = _identity(info)
            else:
                foreign[name] = why_not or "not a regular file"
        elif name == ONNX_FOLDER and stat.S_ISDIR(info.st_mode):
            inner, why = _survey_onnx_folder(folder / name, listed, known)
            if why is None:
                owned |= inner | {name: _identity(info)}
            else:
                foreign[name] = why
        elif (why := _not_proved(folder / name, name, info, listed, known)) is not None:
            foreign[name] = why
        else:
            owned[name] = _identity(info)
    return owned, foreign


def _not_proved(
    path: Path,
    name: str,
    info: os.stat_result,
    listed: dict[str, dict[str, object]],
    known: dict[str, tuple[int, ...]],
) -> str | None:
    """Why the entry ``name`` (as the manifest would list it) is not a file onnxcore proves it wrote; None when
    it is: a regular file, listed, of the recorded size and sha256 (or unchanged since it was proved)."""
    if not stat.S_ISREG(info.st_mode):
        return _kind(info)
    if name not in listed:
        return f"not listed in its {MANIFEST_NAME}" if listed else "not written by onnxcore"
    if known.get(name) == _identity(info) or _matches(path, info, listed[name]):
        return None
    return "changed since onnxcore wrote it"


#: Why an ``onnx/`` folder is refused even with ``--allow-other-files``: writing beside it would leave the earlier
#: export's graphs next to the new export's config.
MIXED_ONNX_FOLDER = "it mixes files of the earlier export with"


def _survey_onnx_folder(
    folder: Path, listed: dict[str, dict[str, object]], known: dict[str, tuple[int, ...]]
) -> tuple[dict[str, tuple[int, ...]], str | None]:
    """The files of an export's ``onnx/`` folder with their identities, or why the folder is not onnxcore's (the
    first entry that is not a listed, unchanged regular file)."""
    owned: dict[str, tuple[int, ...]] = {}
    names = sorted(os.listdir(folder))
    if not names:
        return {}, "an empty folder onnxcore did not write"
    why = None
    for inner in names:
        name = f"{ONNX_FOLDER}/{inner}"
        info = os.lstat(folder / inner)
        problem = _not_proved(folder / inner, name, info, listed, known)
        if problem is None:
            owned[name] = _identity(info)
        else:
            why = why or f"{shown(name)}, {problem}"
    if why is None:
        return owned, None
    return {}, f"{MIXED_ONNX_FOLDER} {why}" if owned else f"it holds {why}"


def _kind(info: os.stat_result) -> str:
    if stat.S_ISLNK(info.st_mode):
        return "a link"
    return "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"


def _matches(path: Path, info: os.stat_result, entry: dict[str, object]) -> bool:
    return info.st_size == entry["bytes"] and sha256_of(path) == entry["sha256"]


def _manifest_files(folder: Path) -> tuple[dict[str, dict[str, object]], str | None]:
    """The ``files`` table of ``folder``'s manifest when it can serve as proof, else why it cannot."""
    try:
        manifest = parse_manifest_text(read_manifest_text(folder / MANIFEST_NAME))
    except (OSError, ValueError) as exc:
        return {}, f"not readable as onnxcore's ({first_line(exc)})"
    if not isinstance(manifest, dict) or "onnxcore" not in manifest:
        return {}, "not written by onnxcore"
    problem = files_problem(manifest.get("files"))
    if problem is not None:
        return {}, f"not valid: {problem}"
    return manifest["files"], None


def claim_output(
    output: Path,
    checkpoint: str | None = None,
    allow_other_files: bool = False,
    names: Iterable[str] = (MANIFEST_NAME, "config.json"),
) -> OutputClaim:
    """Check up front that ``output`` can receive an export without touching anything onnxcore did not write,
    and decide where to stage it. ``names``: files the export is sure to write (a foreign one is refused now
    rather than after the work). Raises OutputPathError (exit 2)."""
    target = Path(os.path.abspath(Path(output).expanduser()))
    _check_length(target)
    try:
        target = target.resolve()  # a link to a folder exports into that folder
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop of links
        raise OutputPathError(
            f"output path {output} cannot be resolved ({first_line(exc)}); pick another path."
        ) from exc
    if target.exists() and not target.is_dir():
        raise OutputPathError(
            f"output path {output} is an existing file; give a folder (the export writes {output}/model.onnx)."
        )
    if target.parent == target:
        raise OutputPathError(f"output path {output} is the root of the file system; give a folder inside it.")
    ancestor = _existing_ancestor(target)
    if not ancestor.is_dir():
        raise OutputPathError(f"cannot create output folder {output}: {ancestor} is a file.")
    if checkpoint is not None:
        _refuse_checkpoint(target, checkpoint)
    owned: dict[str, tuple[int, ...]] = {}
    foreign: dict[str, str] = {}
    if target.is_dir():
        try:
            owned, foreign = survey(target)
        except OSError as exc:
            raise OutputPathError(
                f"cannot read output folder {output}: {exc.strerror or exc}; pick another path."
            ) from exc
    if foreign.get(ONNX_FOLDER, "").startswith(MIXED_ONNX_FOLDER):
        raise OutputPathError(
            f"{output}/{ONNX_FOLDER} {foreign[ONNX_FOLDER]}; move the files onnxcore did not write out of it, or export"
            " into another folder (onnxcore never replaces a file it did not write, nor leaves two exports mixed)."
        )
    if foreign and not allow_other_files:
        name, why = next(iter(foreign.items()))
        raise OutputPathError(
            f"{output} holds files onnxcore did not write ({shown(name)}: {why}); export into a new or empty folder, or"
            " pass --allow-other-files to write beside them (onnxcore never replaces a file it did not write)."
        )
    _refuse_clashes(output, foreign, names)
    # an existing empty OUT takes the files in place: it keeps its owner, mode and attributes
    in_place = target.is_dir() and (bool(foreign) or not owned or _stage_inside(target))
    _probe_writable(target if in_place else ancestor, output)
    return OutputClaim(target, owned, frozenset(foreign), in_place, _inode(target) if target.is_dir() else None)


def _refuse_clashes(output: Path, foreign: dict[str, str] | frozenset[str], names: Iterable[str]) -> None:
    clashes = sorted(set(names) & set(foreign))
    if clashes:
        raise OutputPathError(
            f"{output}/{shown(clashes[0])} is not onnxcore's, and the export writes a file of that name; move it away"
            " or export into another folder (onnxcore never replaces a file it did not write)."
        )


def _check_length(target: Path) -> None:
    """Refuse a path the system cannot hold, before anything is written: a name over NAME_MAX, or a path that
    leaves no room for the staged folder and the file names below it within PATH_MAX."""
    ancestor = _existing_ancestor(target)
    name_max = _pathconf(ancestor, "PC_NAME_MAX", 255)
    path_max = _pathconf(ancestor, "PC_PATH_MAX", 4096)
    for part in target.parts:
        if len(os.fsencode(part)) > name_max:
            raise OutputPathError(
                f"output name {part[:40]}… is {len(os.fsencode(part))} bytes; the file system takes at most"
                f" {name_max}: pick a shorter name."
            )
    room = len(os.fsencode(str(target))) + 1 + _STAGING_NAME_LENGTH + 1 + len(_DEEPEST_NAME)
    if room >= path_max:
        raise OutputPathError(
            f"output path {str(target)[:60]}… is too long ({len(os.fsencode(str(target)))} bytes; onnxcore needs"
            f" {room - len(os.fsencode(str(target)))} more below it within the system's {path_max}): pick a"
            " shorter path."
        )


def _pathconf(folder: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(folder, name)
    except (OSError, ValueError):
        return default


def _existing_ancestor(target: Path) -> Path:
    ancestor = target
    while not os.path.exists(ancestor) and ancestor.parent != ancestor:  # False, not an error, on a name too long
        ancestor = ancestor.parent
    return ancestor


def _refuse_checkpoint(target: Path, checkpoint: str) -> None:
    """The checkpoint's own folder is never an output, nor a folder that holds it or any of its files."""
    source = Path(checkpoint).expanduser()
    if not source.is_dir():
        return  # a hub id: its files live in the cache, not where a user points an export
    source = source.resolve()
    if source == target or target in source.parents:
        raise OutputPathError(
            f"{target} is the checkpoint's folder or holds it; export into another folder (for example"
            f" {target / 'onnx'})."
        )
    if not target.is_dir():
        return
    files = {_inode(path) for path in source.iterdir() if path.is_file()}
    shared = sorted(path.name for path in target.iterdir() if path.is_file() and _inode(path) in files)
    if shared:
        raise OutputPathError(f"{target / shared[0]} is a file of the checkpoint {source}; export into another folder.")


def _inode(path: Path) -> tuple[int, int]:
    info = path.stat()
    return info.st_dev, info.st_ino


def _stage_inside(target: Path) -> bool:
    """Whether the staged export must live inside OUT: OUT is a mount point (its parent is another file system,
    where a rename into OUT cannot come from), its parent is not writable, or it holds the working folder
    (a swap would leave the shell in the old, deleted folder)."""
    parent = target.parent
    if os.path.ismount(target) or target in _mount_points() or os.stat(target).st_dev != os.stat(parent).st_dev:
        return True
    cwd = Path.cwd().resolve()
    if cwd == target or target in cwd.parents:
        return True
    try:
        _probe_writable(parent, target)
    except OutputPathError:
        return True
    return False


def _mount_points() -> set[Path]:
    """Every mount point of this process (``/proc/self/mountinfo``), bind mounts of one file system included,
    which ``os.path.ismount`` cannot tell from a folder."""
    try:
        lines = Path("/proc/self/mountinfo").read_text().splitlines()
    except OSError:
        return set()
    points = set()
    for line in lines:
        fields = line.split()
        if len(fields) > 4:
            points.add(Path(re.sub(r"\\([0-7]{3})", lambda octal: chr(int(octal.group(1), 8)), fields[4])))
    return points


def shown(name: str) -> str:
    """A file name as an error line shows it: as is, or quoted with escapes when it holds a line break or
    another control character (an error stays one line)."""
    return name if name.isprintable() else repr(name)


def _probe_writable(folder: Path, output: Path) -> None:
    """A real probe (``os.access`` says yes to root even on a read-only file system)."""
    probe = folder / f"{STAGING_PREFIX}probe-{secrets.token_hex(4)}"
    try:
        os.mkdir(probe)
        os.rmdir(probe)
    except OSError as exc:
        raise OutputPathError(
            f"output folder {output} is not writable ({folder}: {exc.strerror or exc}); pick another path."
        ) from exc


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip().replace("-", "")[:8]
    except OSError:
        return "x"


def _start_time(pid: int) -> str | None:
    """The process's start time since boot (``/proc/PID/stat`` field 22), or None when it is not running."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[19] if len(fields) > 19 else None


def _staging_name() -> str:
    pid = os.getpid()
    return f"{STAGING_PREFIX}{_boot_id()}-{pid}-{_start_time(pid) or 0}-{secrets.token_hex(4)}"


def is_stale_staging(name: str) -> bool:
    """Whether ``name`` is a staged folder of a process of this boot that is no longer running. Folders of
    another boot or machine, or from a system without ``/proc``, are never judged stale."""
    match = _STAGING_NAME.match(name)
    if match is None or match.group(1) == "x" or match.group(1) != _boot_id():
        return False
    return _start_time(int(match.group(2))) != match.group(3)


def remove_stale_staging(folder: Path) -> list[Path]:
    """Remove the staged folders in ``folder`` that a killed run left (see :func:`is_stale_staging`) and that no
    live run holds: a run holds a lock on its staged folder while it lives, so a process of another pid namespace
    (a container on this machine), whose pid means nothing here, keeps its folder."""
    removed = []
    with contextlib.suppress(OSError):
        for name in os.listdir(folder):
            path = folder / name
            if is_stale_staging(name) and stat.S_ISDIR(os.lstat(path).st_mode) and _unheld(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def _unheld(folder: Path) -> bool:
    """Whether no process holds ``folder``'s lock (see :func:`_hold`)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: nothing can tell, so nothing is removed
        return False
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return True


def _hold(folder: Path) -> int | None:
    """Lock ``folder`` for as long as the returned descriptor is open (None where flock does not exist)."""
    try:
        import fcntl
    except ImportError:
        return None
    descriptor = os.open(folder, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def failed_folder(target: Path) -> Path:
    """Where ``--keep-failed`` puts a rejected export: ``OUT.failed`` beside OUT."""
    return target.with_name(target.name + FAILED_SUFFIX)


class StagedOutput:
    """Claims OUT on creation (see :func:`claim_output`); as a context manager, yields the folder to build the
    export in, which ``commit()`` puts in place. A failed or interrupted run removes it and leaves OUT as it was.

    ``keep_failed``: a validation failure puts the staged export in ``OUT.failed`` instead (claimed up front by
    the same rules, so a folder onnxcore did not write is never replaced).
    """

    def __init__(
        self,
        target: Path,
        keep_failed: bool = False,
        checkpoint: str | None = None,
        allow_other_files: bool = False,
    ) -> None:
        self.claim = claim_output(Path(target), checkpoint, allow_other_files)
        self.target = self.claim.target
        self.failed: OutputClaim | None = None
        if keep_failed:
            failed = failed_folder(self.target)
            try:
                self.failed = claim_output(failed, checkpoint)
            except OutputPathError as exc:
                if os.path.isfile(failed):
                    message = f"{failed} is a file; --keep-failed puts a rejected export there: move it away."
                    raise OutputPathError(message) from exc
                raise OutputPathError(f"--keep-failed: {exc}") from exc
            if self.claim.in_place and _inode(self.target)[0] != _inode(_existing_ancestor(failed))[0]:
                raise OutputPathError(
                    f"--keep-failed: {self.target} is a mount point, and {failed} would be on another file system,"
                    " where the rejected export cannot be moved; drop --keep-failed or export into a folder inside"
                    " the mount."
                )
        self.kept: Path | None = None  # where a failed export's files were kept, once they were
        self.path: Path | None = None
        self._created: list[Path] = []
        self._held: int | None = None  # the lock on the staged folder that tells other runs it is alive
        self._committed = False

    def __enter__(self) -> Path:
        """Create the staging folder on OUT's file system (removing dead runs' leftovers there) and return it."""
        home = self.target if self.claim.in_place else self.target.parent
        try:
            _make_parents(home, self._created)
            with folder_locked(self.target.parent):  # not while another run moves its folders in or aside
                for folder in {home, self.target}:  # a killed run staged in one of them
                    remove_stale_staging(folder)
            self.path = home / _staging_name()
            fs.mkdir(self.path)
            self._held = _hold(self.path)
        except OSError as exc:
            self._remove_created()
            raise OutputPathError(
                f"cannot write beside {self.target}: {exc.strerror or exc}; pick another path."
            ) from exc
        return self.path

    def commit(self) -> None:
        """Put the staged export in place of OUT, all at once (see the module docstring).

        Ctrl-C and SIGTERM wait until it is done, and so does another export finishing into the same folder.
        """
        assert self.path is not None
        with folder_locked(self.target.parent), _signals_held():  # waiting for the lock can still be interrupted
            emptied = _commit(self.path, self.claim)
            self._committed = True  # the new export is in place: nothing below may remove self.path now
            for folder, owned in emptied:
                _discard(folder, owned)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._held is not None:
            os.close(self._held)
            self._held = None
        if self._committed and isinstance(exc, KeyboardInterrupt):  # it came during the move, which it waited for
            note_written(exc, self.target)
        if self._committed or self.path is None:
            return
        if self.failed is not None and isinstance(exc, ValidationError):
            try:
                _write_failed_manifest(self.path, exc)
                with folder_locked(self.failed.target.parent), _signals_held():
                    for folder, owned in _commit(self.path, self.failed):
                        _discard(folder, owned)
                self.kept = self.failed.target
                return
            except (OSError, OutputPathError):  # not kept (the caller says so); the validation error is the news
                pass
        shutil.rmtree(self.path, ignore_errors=True)
        self._remove_created()

    def _remove_created(self) -> None:
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):
                folder.rmdir()


def _make_parents(folder: Path, created: list[Path]) -> None:
    """``mkdir -p folder``, appending each folder it creates to ``created`` (outermost first) as it goes, so that
    a failure half-way still knows what to remove."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        os.mkdir(path)
        created.append(path)


def _write_failed_manifest(staging: Path, error: ValidationError) -> None:
    """A kept rejected export lists its files like any export, so that the next ``--keep-failed`` run can prove
    ``OUT.failed`` is onnxcore's and replace it."""
    files = {
        name: {"sha256": sha256_of(staging / name), "bytes": (staging / name).stat().st_size}
        for name in export_file_names(staging)
        if name != MANIFEST_NAME
    }
    record = {"onnxcore": "failed export", "failed": first_line(error), "files": files}
    (staging / MANIFEST_NAME).write_text(strict_json.dumps(record) + "\n")


def _commit(staging: Path, claim: OutputClaim) -> Emptied:
    """Survey OUT again (it may have changed during the export), then put ``staging`` in its place; returns the
    folders the old export was moved into, with the files of it onnxcore proved, for :func:`_discard`."""
    now = _inode(claim.target) if os.path.lexists(claim.target) else None
    if now != claim.identity or (now is not None and not claim.target.is_dir()):
        raise OutputPathError(
            f"{claim.target} was replaced or removed during the export; nothing was written: export again."
        )
    owned, foreign = survey(claim.target, claim.owned) if claim.target.is_dir() else ({}, {})
    appeared = sorted(set(foreign) - claim.foreign)
    if appeared:
        raise OutputPathError(
            f"{claim.target / shown(appeared[0])} appeared during the export ({foreign[appeared[0]]}); nothing was"
            " written: move it away and export again."
        )
    _refuse_clashes(claim.target, claim.foreign, os.listdir(staging))
    if claim.in_place:
        return _move_in(staging, claim.target, owned)
    return _swap_in(staging, claim.target, owned)


def _swap_in(staging: Path, target: Path, owned: dict[str, tuple[int, ...]]) -> Emptied:
    """Replace OUT by the staged folder in one rename (OUT absent) or one exchange (OUT empty or an earlier
    export, which is then removed)."""
    if not target.exists():
        fs.rename(staging, target)
        return []
    _keep_owner_and_mode(staging, os.stat(target))
    try:
        fs.exchange(staging, target)
        old = staging
    except OSError as exc:
        if exc.errno not in _NO_EXCHANGE:
            raise
        old = staging.with_name(staging.name + "-old")
        fs.rename(target, old)  # no exchange on this file system: two renames, undone on failure
        try:
            fs.rename(staging, target)
        except OSError:
            os.rename(old, target)
            raise
    return [(old, owned)]


def _move_in(staging: Path, target: Path, owned: dict[str, tuple[int, ...]]) -> Emptied:
    """Staged inside OUT: move the earlier export's files aside and the new ones in; any error undoes every
    move made, so OUT holds the old export again."""
    aside = staging.with_name(staging.name + "-old")
    moved: list[tuple[Path, Path]] = []
    try:
        fs.mkdir(aside)
        for name in sorted(name for name in owned if "/" not in name):  # onnx/ moves with its files
            fs.rename(target / name, aside / name)
            moved.append((target / name, aside / name))
        for name in sorted(os.listdir(staging)):
            fs.move_new(staging / name, target / name)  # never over a file that appeared since the survey
            moved.append((staging / name, target / name))
    except OSError:
        for source, destination in reversed(moved):
            os.rename(destination, source)
        with contextlib.suppress(OSError):
            os.rmdir(aside)
        raise
    return [(staging, {}), (aside, owned)]


def _discard(folder: Path, owned: dict[str, tuple[int, ...]]) -> None:
    """Remove a folder the commit emptied or swapped out, which should hold only files onnxcore proved it wrote.

    An error here comes after the new export is in place, so it is tried once more. Anything else found in it (a
    file written into the old OUT during the swap) is kept: the folder is renamed to a visible name, with a
    warning, and never removed as a staged folder.
    """
    error = OSError()
    for unlink, rmdir in ((fs.unlink, fs.rmdir), (os.unlink, os.rmdir)):
        try:
            for name in os.listdir(folder):
                if name not in owned or not _is_proved(folder / name, owned[name]):
                    continue
                if name == ONNX_FOLDER and stat.S_ISDIR(os.lstat(folder / name).st_mode):
                    _remove_owned_folder(folder / name, owned, unlink, rmdir)
                else:
                    unlink(folder / name)
            if os.listdir(folder):
                break
            rmdir(folder)
            return
        except OSError as exc:
            error = exc
    others = _leftovers(folder, owned) if folder.is_dir() else []
    if others:
        kept = folder.with_name(f"onnxcore-kept-{secrets.token_hex(4)}")
        try:
            os.rename(folder, kept)
        except OSError:
            kept = folder
        warnings.warn(
            f"the export is in place; {shown(others[0])} appeared in the earlier one while it was replaced, and is"
            f" kept in {kept}.",
            stacklevel=2,
        )
        return
    warnings.warn(
        f"the export is in place, but the earlier one could not be removed from {folder}"
        f" ({error.strerror or error}); a later export there removes it.",
        stacklevel=2,
    )


def _remove_owned_folder(
    folder: Path, owned: dict[str, tuple[int, ...]], unlink: Callable[[Path], None], rmdir: Callable[[Path], None]
) -> None:
    """Remove the files of an old export's ``onnx/`` that onnxcore proved, then the folder if nothing else is in
    it."""
    for inner in os.listdir(folder):
        name = f"{folder.name}/{inner}"
        if name in owned and _is_proved(folder / inner, owned[name]):
            unlink(folder / inner)
    if not os.listdir(folder):
        rmdir(folder)


def _is_proved(path: Path, identity: tuple[int, ...]) -> bool:
    """Whether ``path`` is still the entry onnxcore proved (same device and inode, not followed if a link): a
    folder or file put in its place since is never removed."""
    info = os.lstat(path)
    return (info.st_dev, info.st_ino) == identity[:2]


def _leftovers(folder: Path, owned: dict[str, tuple[int, ...]]) -> list[str]:
    """What is left in an emptied folder that onnxcore did not prove it wrote (in ``onnx/`` too)."""
    left = []
    for name in sorted(os.listdir(folder)):
        if name not in owned:
            left.append(name)
        elif stat.S_ISDIR(os.lstat(folder / name).st_mode):
            left += [f"{name}/{inner}" for inner in sorted(os.listdir(folder / name))]
    return left


def _keep_owner_and_mode(folder: Path, was: os.stat_result) -> None:
    """The new OUT keeps the permissions, and where this process may set them the owner and group, of the one it
    replaces."""
    os.chmod(folder, stat.S_IMODE(was.st_mode))
    with contextlib.suppress(PermissionError):
        os.chown(folder, was.st_uid, was.st_gid)


def note_written(stop: BaseException, folder: Path) -> None:
    """Record on an interruption (Ctrl-C, SIGTERM) that ``folder`` was completely written before it came."""
    vars(stop)["written"] = [*written_before(stop), folder]


def written_before(stop: BaseException) -> list[Path]:
    """The folders :func:`note_written` recorded on ``stop``."""
    return list(getattr(stop, "written", []))


def check_feature_folders(output: Path) -> None:
    """A multi-feature run writes OUT/FEATURE folders: OUT must be new, empty, or hold only folders (each then
    claimed on its own) and staged folders."""
    claim = claim_output(output, allow_other_files=True, names=())
    files = sorted(name for name in claim.foreign | set(claim.owned) if not (claim.target / name).is_dir())
    if files:
        raise OutputPathError(
            f"{output} holds {files[0]}, which is not a feature folder; a run of several features writes"
            " OUT/FEATURE folders only: export into a new or empty folder."
        )


@contextlib.contextmanager
def folder_locked(folder: Path, shared: bool = False) -> Iterator[None]:
    """An advisory lock on ``folder`` (flock on the directory itself: no lock file is left behind). Exports
    take it exclusively to commit; ``validate`` takes it shared, so it never reads an export half moved in."""
    try:
        import fcntl
    except ImportError:  # not POSIX: moves are not serialized
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
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
