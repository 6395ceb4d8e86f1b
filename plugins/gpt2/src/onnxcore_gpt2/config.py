"""GPT-2's ONNX contract: the transformers.onnx ``GPT2OnnxConfig`` inputs and outputs, on onnxcore's base class."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

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
    def num_layers(self) -> int:
        return self._config.n_layer

    @property
    def num_attention_heads(self) -> int:
        return self._config.n_head

    @property
    def default_onnx_opset(self) -> int:
        return 13
