"""Everything the tracer needs patched, applied inside one context manager that always restores.

Two kinds of patches: the config's own ``PatchingSpec``s, and core's patches for what the TorchScript exporter
cannot trace. transformers (4.53+) builds attention masks by ``torch.vmap``-ing small index functions and probes
``position_ids`` for packed sequences with ``torch.diff``; the TorchScript tracer can do neither, so every
decoder failed to export. Core swaps in a broadcasting equivalent of the vmap (with plain tensor indexing
instead of the vmap-only ``TransformGetItemToIndex`` mode), turns the packed-sequence probe off (it only
applies to training batches without an attention mask), and writes ``scaled_dot_product_attention`` as
matmul and softmax (TorchScript has SDPA only from opset 14, below the default opsets of BERT and GPT-2).
The stand-ins written in torch ops live in :mod:`onnxcore.frameworks.pytorch`."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import Any

from .config import OnnxConfig
from .frameworks import PYTORCH

#: ``(module, attribute, replacement)``: set ``module.attribute`` to ``replacement`` while tracing.
Replacement = Callable[..., Any] | str  # a str names a stand-in of the PyTorch framework module
Patch = tuple[str, str, Replacement]


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


TORCHSCRIPT_PATCHES: tuple[Patch, ...] = (
    ("torch.nn.functional", "scaled_dot_product_attention", "math_attention"),
    ("torch", "triu", "upper_triangle"),
    ("torch", "tril", "lower_triangle"),
    ("transformers.masking_utils", "_vmap_for_bhqkv", broadcast_mask_function),
    ("transformers.masking_utils", "TransformGetItemToIndex", contextlib.nullcontext),
    ("transformers.masking_utils", "find_packed_sequence_indices", _no_packed_sequences),
)


@contextlib.contextmanager
def _patched_attributes(patches: tuple[Patch, ...]) -> Iterator[None]:
    """Set each existing ``module.name`` to its replacement, restoring the originals on exit. The PyTorch
    stand-ins are looked up here, not at import: keeps ``import onnxcore`` light."""
    originals: list[tuple[Any, str, Any]] = []
    try:
        for module_name, name, replacement in patches:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                continue
            if hasattr(module, name):
                originals.append((module, name, getattr(module, name)))
                setattr(
                    module, name, getattr(PYTORCH.ops, replacement) if isinstance(replacement, str) else replacement
                )
        yield
    finally:
        for module, name, original in reversed(originals):
            setattr(module, name, original)


@contextlib.contextmanager
def export_patches(config: OnnxConfig, patches: tuple[Patch, ...] = ()) -> Iterator[None]:
    """Apply an exporter's ``patches`` (``Exporter.patches``) and the config's PatchingSpecs, restoring all on
    exit."""
    with _patched_attributes(patches):
        config.patch_ops()
        try:
            yield
        finally:
            config.restore_ops()
