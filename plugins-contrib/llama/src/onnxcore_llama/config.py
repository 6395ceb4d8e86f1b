"""The ONNX contract of Llama-family decoders: GPT-2's inputs and outputs, with a grouped-query cache."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from onnxcore import OnnxConfigWithPast


class LlamaOnnxConfig(OnnxConfigWithPast):
    """``input_ids``, (``past_key_values.{i}.key/.value``,) ``attention_mask``; with past, ``present.*`` too.

    Grouped-query attention caches ``num_key_value_heads`` heads, fewer than the query heads; rotary embeddings
    take their positions from ``position_ids``, which onnxcore derives from the mask in ``-with-past`` graphs.
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common: OrderedDict[str, Mapping[int, str]] = OrderedDict({"input_ids": {0: "batch", 1: "sequence"}})
        if self.use_past:
            self.fill_with_past_key_values_(common, direction="inputs")
            common["attention_mask"] = {0: "batch", 1: "past_sequence + sequence"}
        else:
            common["attention_mask"] = {0: "batch", 1: "sequence"}
        return common

    @property
    def num_layers(self) -> int:
        return self._config.num_hidden_layers

    @property
    def num_attention_heads(self) -> int:
        return self._config.num_attention_heads

    @property
    def attention_head_size(self) -> int:
        """``head_dim`` when the config sets it (it may differ from ``hidden_size / heads``)."""
        head_dim = getattr(self._config, "head_dim", None)
        return head_dim or self._config.hidden_size // self._config.num_attention_heads

    def past_shape(self, batch: int, past_length: int) -> tuple[int, ...]:
        """(batch, key/value heads, past length, head size): the cache of grouped-query attention."""
        heads = getattr(self._config, "num_key_value_heads", None) or self._config.num_attention_heads
        return (batch, heads, past_length, self.attention_head_size)

    @property
    def default_onnx_opset(self) -> int:
        return 14
