"""The ONNX contract of ernie: the graph's inputs (outputs come from the task)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from onnxcore import OnnxConfig


class ErnieOnnxConfig(OnnxConfig):
    """Inputs of ernie in the order the graph takes them, with their dynamic axes.

    Decoders subclass ``OnnxConfigWithPast``, encoder-decoders ``OnnxSeq2SeqConfigWithPast`` (docs/plugins.md).
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        # TODO: the model's inputs, e.g. for a BERT-like encoder:
        #   return OrderedDict((name, {0: "batch", 1: "sequence"}) for name in ("input_ids", "attention_mask"))
        raise NotImplementedError("fill in ErnieOnnxConfig.inputs in src/onnxcore_ernie/config.py")
