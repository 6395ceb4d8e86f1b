"""GPT-2's ONNX contract: the transformers.onnx ``GPT2OnnxConfig`` inputs and outputs, on onnxcore's base class."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from onnxcore import OnnxConfigWithPast


class GPT2OnnxConfig(OnnxConfigWithPast):
    """``input_ids``, (``past_key_values.{i}.key/.value``,) ``attention_mask``; with past, ``present.*`` too."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common_inputs: OrderedDict[str, Mapping[int, str]] = OrderedDict({"input_ids": {0: "batch", 1: "sequence"}})
        if self.use_past:
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
            common_inputs["attention_mask"] = {0: "batch", 1: "past_sequence + sequence"}
        else:
            common_inputs["attention_mask"] = {0: "batch", 1: "sequence"}
        return common_inputs

    @property
    def values_override(self) -> Mapping[str, Any] | None:
        """Sequence classification pools the last non-pad token, so the model needs a pad id: transformers.onnx
        wrote 0 into the user's config for good; onnxcore sets it only while exporting and validating, and
        prefers the eos id (what GPT-2 users pad with)."""
        override = dict(super().values_override or {})
        if getattr(self._config, "pad_token_id", None) is None:
            eos = getattr(self._config, "eos_token_id", None)
            override["pad_token_id"] = eos if isinstance(eos, int) else 0
        return override

    @property
    def num_layers(self) -> int:
        return self._config.n_layer

    @property
    def num_attention_heads(self) -> int:
        return self._config.n_head

    @property
    def default_onnx_opset(self) -> int:
        return 13
