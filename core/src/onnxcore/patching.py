"""Everything the tracer needs patched, applied inside one context manager that always restores.

Two kinds of patches: the config's own ``PatchingSpec``s, and core's patches for what the TorchScript exporter
cannot trace. transformers (4.53+) builds attention masks by ``torch.vmap``-ing small index functions and probes
``position_ids`` for packed sequences with ``torch.diff``; the TorchScript tracer can do neither, so every
decoder failed to export. Core swaps in a broadcasting equivalent of the vmap (with plain tensor indexing
instead of the vmap-only ``TransformGetItemToIndex`` mode), turns the packed-sequence probe off (it only
applies to training batches without an attention mask), and writes ``scaled_dot_product_attention`` as
matmul and softmax (TorchScript has SDPA only from opset 14, below the default opsets of BERT and GPT-2)."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .config import OnnxConfig

if TYPE_CHECKING:
    from .exporters.base import Exporter

#: ``(module, attribute, replacement)``: set ``module.attribute`` to ``replacement`` while tracing.
Patch = tuple[str, str, Callable[..., Any]]


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


def _triangle(input: Any, diagonal: int, upper: bool) -> Any:
    """``torch.triu``/``tril`` as an index comparison: TorchScript writes ``Trilu`` only from opset 14."""
    import torch

    rows = torch.arange(input.size(-2), device=input.device).unsqueeze(-1)
    columns = torch.arange(input.size(-1), device=input.device).unsqueeze(0)
    keep = columns - rows >= diagonal if upper else columns - rows <= diagonal
    return torch.where(keep, input, torch.zeros((), dtype=input.dtype, device=input.device))


def upper_triangle(input: Any, diagonal: int = 0, **_: Any) -> Any:
    """Stand-in for ``torch.triu`` while tracing (T5 builds its causal mask with it, at opset 13)."""
    return _triangle(input, diagonal, upper=True)


def lower_triangle(input: Any, diagonal: int = 0, **_: Any) -> Any:
    """Stand-in for ``torch.tril`` while tracing."""
    return _triangle(input, diagonal, upper=False)


def math_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Any:
    """``scaled_dot_product_attention`` written with matmul and softmax (inference: no dropout).

    The TorchScript exporter writes SDPA only from opset 14; models loaded with transformers' default SDPA
    attention (BERT's at opset 11, GPT-2's at 13) export through this instead.
    """
    import torch

    if enable_gqa:
        repeats = query.size(-3) // key.size(-3)
        key, value = key.repeat_interleave(repeats, -3), value.repeat_interleave(repeats, -3)
    scores = torch.matmul(query, key.transpose(-2, -1)) * (query.size(-1) ** -0.5 if scale is None else scale)
    if is_causal:
        causal = lower_triangle(torch.ones(query.size(-2), key.size(-2), dtype=torch.bool, device=query.device))
        scores = scores.masked_fill(~causal, float("-inf"))
    if attn_mask is not None:
        scores = scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else scores + attn_mask
    weights = torch.softmax(scores, dim=-1)
    fully_masked = torch.isinf(scores).all(dim=-1, keepdim=True)  # torch's SDPA gives 0 there, not NaN
    return torch.matmul(weights.masked_fill(fully_masked, 0.0), value)


def _no_packed_sequences(position_ids: Any) -> None:
    """Stand-in for ``find_packed_sequence_indices``: exported graphs always take an attention mask."""
    return None


TORCHSCRIPT_PATCHES: tuple[Patch, ...] = (
    ("torch.nn.functional", "scaled_dot_product_attention", math_attention),
    ("torch", "triu", upper_triangle),
    ("torch", "tril", lower_triangle),
    ("transformers.masking_utils", "_vmap_for_bhqkv", broadcast_mask_function),
    ("transformers.masking_utils", "TransformGetItemToIndex", contextlib.nullcontext),
    ("transformers.masking_utils", "find_packed_sequence_indices", _no_packed_sequences),
)


@contextlib.contextmanager
def _patched_attributes(patches: tuple[Patch, ...]) -> Iterator[None]:
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
def export_patches(config: OnnxConfig, exporter: str | Exporter = "torchscript") -> Iterator[None]:
    """Apply the patches ``exporter`` (an exporter or its registered name) needs and the config's PatchingSpecs,
    restoring all on exit."""
    if isinstance(exporter, str):
        from .plugins import get_registry

        exporter = get_registry().exporter(exporter)
    with _patched_attributes(exporter.patches):
        config.patch_ops()
        try:
            yield
        finally:
            config.restore_ops()
