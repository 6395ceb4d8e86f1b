"""LongT5's ONNX contract: T5's, plus a patch so that transient-global attention exports with a dynamic length.

LongT5 sums each global block's tokens with ``one_hot(block_ids, num_globals + 1)``. torch.export bakes the class
count of ``one_hot`` into the graph, so a dynamo export ran only at inputs with as many global blocks as its
example (8 to 11 tokens with blocks of 4). The patch builds the same one-hot by comparing the block ids with
``arange(num_globals)``, which keeps the count a graph value; padding (block id -1) matches no block, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onnxcore import PatchingSpec

from .config import T5OnnxConfig

if TYPE_CHECKING:
    from transformers import PretrainedConfig


def global_aggregates(hidden_states: Any, block_ids: Any, global_seq_len: Any) -> Any:
    """Sum of the hidden states of each global block: ``modeling_longt5._create_global_aggregates`` without
    ``one_hot``."""
    import torch  # lazily: export time only

    blocks = torch.arange(global_seq_len, device=block_ids.device)
    one_hot = (block_ids.unsqueeze(-1) == blocks).type(hidden_states.dtype)
    return torch.einsum("...nd,...ng->...gd", hidden_states, one_hot)


class LongT5OnnxConfig(T5OnnxConfig):
    """T5's inputs and outputs; exports with :func:`global_aggregates` in place of LongT5's."""

    def __init__(
        self,
        config: PretrainedConfig,
        task: str = "default",
        patching_specs: list[PatchingSpec] | None = None,
        use_past: bool = False,
    ) -> None:
        from transformers.models.longt5 import modeling_longt5  # lazily: keeps the plugin's import light

        specs = [PatchingSpec(modeling_longt5, "_create_global_aggregates", global_aggregates), *(patching_specs or [])]
        super().__init__(config, task=task, patching_specs=specs, use_past=use_past)
