"""Longformer: RoBERTa's inputs plus ``global_attention_mask``, and its traceable chunking switched on."""

from __future__ import annotations

import builtins
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from onnxcore import PatchingSpec

from .config import BertWithoutTokenTypesOnnxConfig

if TYPE_CHECKING:
    from transformers import PretrainedConfig


def _overlapping(hidden_states: Any, size: int, step: int, count: Any) -> Any:
    """``count`` windows of ``size`` positions every ``step`` along axis 1, by one gather: unlike ``as_strided``
    (whose sizes and strides both exporters write as constants) the window count follows the sequence length."""
    import torch  # lazily: keeps the plugin's import light

    starts = torch.arange(count, device=hidden_states.device) * step
    return hidden_states[:, starts[:, None] + torch.arange(size, device=hidden_states.device)[None, :]]


def _chunk(hidden_states: Any, window_overlap: int, onnx_export: bool = False) -> Any:
    """Stand-in for ``LongformerSelfAttention._chunk``: chunks of ``2w`` overlapping by ``w``. (Its ``onnx_export``
    branch fills them in a Python loop, unrolled at the export's length or untraceable.)"""
    import torch  # lazily: keeps the plugin's import light

    count = torch.div(hidden_states.size(1), window_overlap, rounding_mode="trunc") - 1
    return _overlapping(hidden_states, 2 * window_overlap, window_overlap, count)


def _attn_probs_value(self: Any, attn_probs: Any, value: Any, window_overlap: int) -> Any:
    """Stand-in for ``LongformerSelfAttention._sliding_chunks_matmul_attn_probs_value``, the same product with the
    value chunks (``3w`` every ``w`` of the padded values) gathered instead of ``as_strided``."""
    import torch  # lazily: keeps the plugin's import light

    batch_size, seq_len, num_heads, head_dim = value.size()
    chunks = torch.div(seq_len, window_overlap, rounding_mode="trunc")
    probs = attn_probs.transpose(1, 2).reshape(batch_size * num_heads, chunks, window_overlap, 2 * window_overlap + 1)
    value = value.transpose(1, 2).reshape(batch_size * num_heads, seq_len, head_dim)
    padded = torch.nn.functional.pad(value, (0, 0, window_overlap, window_overlap), value=-1)
    chunked_value = _overlapping(padded, 3 * window_overlap, window_overlap, chunks)
    context = torch.einsum("bcwd,bcdh->bcwh", (self._pad_and_diagonalize(probs), chunked_value))
    return context.view(batch_size, num_heads, seq_len, head_dim).transpose(1, 2)


def _traced_len(value: Any) -> Any:
    """``len`` for modeling_longformer while exporting: a tensor's first size as the tracer records it. The
    builtin writes the export's count of global-attention tokens into the graph (``view(len(...), -1)`` in
    ``LongformerSelfAttention.forward``), which fails or, when the count divides the other's, goes unnoticed."""
    import torch  # lazily: keeps the plugin's import light

    return value.shape[0] if isinstance(value, torch.Tensor) else builtins.len(value)


class LongformerOnnxConfig(BertWithoutTokenTypesOnnxConfig):
    """``input_ids``, ``attention_mask``, ``global_attention_mask``; ``default`` also returns ``pooler_output``.

    Sliding-window chunking is patched to gathers while exporting (:func:`_chunk`, :func:`_attn_probs_value`):
    transformers' ``as_strided`` and its ``onnx_export`` loop both fix the padded length at the export's, so such
    a graph gives wrong numbers, silently, at other lengths. transformers.onnx set ``config.onnx_export`` on the
    caller's config for good. The module's ``len`` is patched too (:func:`_traced_len`), so that the count of
    global-attention tokens stays dynamic.
    """

    def __init__(
        self, config: PretrainedConfig, task: str = "default", patching_specs: list[PatchingSpec] | None = None
    ) -> None:
        from transformers.models.longformer import modeling_longformer  # lazily: at export, not at plugin import

        attention = modeling_longformer.LongformerSelfAttention
        specs = [
            PatchingSpec(attention, "_chunk", _chunk, op_wrapper=staticmethod),
            PatchingSpec(attention, "_sliding_chunks_matmul_attn_probs_value", _attn_probs_value),
            # a module global shadows the builtin for the module's functions; restored to the builtin itself
            PatchingSpec(modeling_longformer, "len", _traced_len, orig_op=builtins.len),
        ]
        super().__init__(config, task, [*(patching_specs or []), *specs])

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = OrderedDict(super().inputs)
        inputs["global_attention_mask"] = dict(inputs["input_ids"])
        return inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        outputs = super().outputs
        if self.task == "default":
            outputs["pooler_output"] = {0: "batch"}
        return outputs

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    @property
    def default_onnx_opset(self) -> int:
        return max(super().default_onnx_opset, 14)

    def extra_dummy_inputs(self, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
        """Every other token of each sequence attends globally, as in transformers.onnx's dummy inputs."""
        mask = np.zeros(shape, dtype=np.int64)
        mask[..., ::2] = 1
        return {"global_attention_mask": mask}
