"""Everything the tracer needs patched, applied inside one context manager that always restores."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from .config import OnnxConfig


@contextlib.contextmanager
def export_patches(config: OnnxConfig) -> Iterator[None]:
    """Apply the config's PatchingSpecs for the duration of an export, restoring them even on failure."""
    config.patch_ops()
    try:
        yield
    finally:
        config.restore_ops()
