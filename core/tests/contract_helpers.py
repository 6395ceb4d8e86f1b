"""Helpers for the output-folder contract tests: folders as onnxcore leaves them, and snapshots of trees."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

STAGED = re.compile(r"^\.onnxcore-staging-")


def write_export(folder: Path, files: dict[str, bytes]) -> None:
    """A folder as an onnxcore export leaves it: its files, and an onnxcore.json that lists each with its sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    listed = {}
    for name, data in files.items():
        (folder / name).write_bytes(data)
        listed[name] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    manifest = {"onnxcore": "0.0.0", "model": "m", "model_type": "bert", "feature": "default", "exporter": "x"}
    (folder / "onnxcore.json").write_text(json.dumps(manifest | {"files": listed}))


def tree(folder: Path) -> dict[str, object]:
    """Every entry below ``folder`` (staged folders aside): a file's bytes, a link's target, a folder's mark."""
    snapshot: dict[str, object] = {}
    if not folder.exists():
        return snapshot
    for root, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not STAGED.match(name)]
        for name in folders + files:
            path = Path(root) / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                snapshot[key] = ("link", os.readlink(path))
            elif path.is_dir():
                snapshot[key] = "dir"
            else:
                snapshot[key] = path.read_bytes()
    return snapshot


def staged_leftovers(*folders: Path) -> list[str]:
    """Staged folders left in ``folders``."""
    return [name for folder in folders if folder.is_dir() for name in os.listdir(folder) if STAGED.match(name)]


@contextlib.contextmanager
def mounted(folder: Path) -> Iterator[Path]:
    """A tmpfs mounted on ``folder`` for the block: a file system other than its parent's, as a Docker volume is."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)
