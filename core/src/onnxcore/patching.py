"""Everything the tracer needs patched, applied inside one context manager that always restores.

Two kinds of patches: the config's own ``PatchingSpec``s, and core's patches for what the TorchScript exporter
cannot trace in transformers itself. transformers (4.53+) builds attention masks by ``torch.vmap``-ing small
index functions and probes ``position_ids`` for packed sequences with ``torch.diff``; the TorchScript tracer can
do neither, so every decoder failed to export. Core swaps in a broadcasting equivalent of the vmap (with plain
tensor indexing instead of the vmap-only ``TransformGetItemToIndex`` mode) and turns the packed-sequence probe
off (it only applies to training batches without an attention mask).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import Any

from .config import OnnxConfig


def broadcast_mask_function(mask_function: Callable[..., Any], bh_indices: bool = True) -> Callable[..., Any]:
    """Same result as transformers' ``_vmap_for_bhqkv(mask_function)``, by broadcasting instead of vmap.

    Index tensors become 4-D views (batch, head, query, key) so that the index functions, written for scalars,
    evaluate every position at once; the result is expanded to the full mask shape as vmap's would be.
    """

    def mask(batch_idx: Any, head_idx: Any, q_idx: Any, kv_idx: Any) -> Any:
        if not bh_indices:
            q, kv = q_idx[:, None], kv_idx[None, :]
            return mask_function(batch_idx, head_idx, q, kv).expand(q_idx.shape[0], kv_idx.shape[0])
        b = batch_idx[:, None, None, None]
        h = head_idx[None, :, None, None]
        q = q_idx[None, None, :, None]
        kv = kv_idx[None, None, None, :]
        shape = (batch_idx.shape[0], head_idx.shape[0], q_idx.shape[0], kv_idx.shape[0])
        return mask_function(b, h, q, kv).expand(shape)

    return mask


def _no_packed_sequences(position_ids: Any) -> None:
    """Stand-in for ``find_packed_sequence_indices``: exported graphs always take an attention mask."""
    return None


TORCHSCRIPT_PATCHES: tuple[tuple[str, str, Callable[..., Any]], ...] = (
    ("transformers.masking_utils", "_vmap_for_bhqkv", broadcast_mask_function),
    ("transformers.masking_utils", "TransformGetItemToIndex", contextlib.nullcontext),
    ("transformers.masking_utils", "find_packed_sequence_indices", _no_packed_sequences),
)


@contextlib.contextmanager
def _patched_attributes(patches: tuple[tuple[str, str, Callable[..., Any]], ...]) -> Iterator[None]:
    """Set each existing ``module.name`` to its replacement, restoring the originals on exit."""
    originals: list[tuple[Any, str, Any]] = []
    try:
        for module_name, name, replacement in patches:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            if hasattr(module, name):
                originals.append((module, name, getattr(module, name)))
                setattr(module, name, replacement)
        yield
    finally:
        for module, name, original in reversed(originals):
            setattr(module, name, original)


@contextlib.contextmanager
def export_patches(config: OnnxConfig, exporter: str = "torchscript") -> Iterator[None]:
    """Apply core's tracer patches for ``exporter`` and the config's PatchingSpecs, restoring all on exit."""
    patches = TORCHSCRIPT_PATCHES if exporter == "torchscript" else ()
    with _patched_attributes(patches):
        config.patch_ops()
        try:
            yield
        finally:
            config.restore_ops()
