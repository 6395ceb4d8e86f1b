"""The ONNX contracts of GPT-2-shaped decoders: transformers.onnx's ``GPT2OnnxConfig`` and the configs it shared
its inputs with (GPT-J, GPT-Neo, CodeGen, BLOOM), plus ImageGPT's, on onnxcore's base classes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from onnxcore import OnnxConfig, OnnxConfigWithPast


class GPT2OnnxConfig(OnnxConfigWithPast):
    """``input_ids``, (``past_key_values.{i}.key/.value``,) ``attention_mask``; with past, ``present.*`` too.

    Layers and heads are read through the config's standard names (``num_hidden_layers``,
    ``num_attention_heads``), which GPT-2's ``n_layer``/``n_head``, GPT-Neo's ``num_layers``/``num_heads`` and
    GPT-J's and CodeGen's ``n_layer``/``n_head`` all map to, so one class serves every one of them. Rotary
    (GPT-J, CodeGen) and learned (GPT-2, GPT-Neo) positions both come from ``position_ids``, which onnxcore
    derives from the mask in ``-with-past`` graphs.
    """

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
        return self._config.num_hidden_layers

    @property
    def num_attention_heads(self) -> int:
        return self._config.num_attention_heads

    @property
    def default_onnx_opset(self) -> int:
        return 13


#: transformers.onnx's names for the same contract, so ``from transformers.models.gptj import GPTJOnnxConfig``
#: becomes ``from onnxcore_gpt2 import GPTJOnnxConfig``.
GPTJOnnxConfig = GPTNeoOnnxConfig = CodeGenOnnxConfig = GPT2OnnxConfig


class BloomOnnxConfig(GPT2OnnxConfig):
    """GPT-2's contract with transformers.onnx's BLOOM tolerance.

    BLOOM has no position ids: its ALiBi biases are built from the attention mask inside the graph, so left
    padding is handled by the mask alone. Its cache is (batch, heads, past, head size) for keys and values
    alike on current transformers, not transformers.onnx's fused (batch x heads, head size, past) keys.
    """

    @property
    def atol_for_validation(self) -> float:
        return 1e-3


class ImageGPTOnnxConfig(OnnxConfig):
    """``input_ids``: the pixels' color-cluster ids, which ``ImageGPTImageProcessor`` makes from images."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"input_ids": {0: "batch", 1: "sequence"}})

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """The images' leading pixels (a partial image, which ImageGPT reads as well as a whole one): the image
        processor fixes the sequence length, and validation must run another length than the export's."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        input_ids = inputs["input_ids"]
        inputs["input_ids"] = input_ids[:, : max(2, input_ids.shape[1] - 3)]
        return inputs
