"""BERT's ONNX contract: the transformers.onnx ``BertOnnxConfig`` inputs, on onnxcore's base class."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from onnxcore import OnnxConfig


class BertOnnxConfig(OnnxConfig):
    """``input_ids``, ``attention_mask``, ``token_type_ids``; multiple-choice adds a ``choice`` axis."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "multiple-choice":
            axes = {0: "batch", 1: "choice", 2: "sequence"}
        else:
            axes = {0: "batch", 1: "sequence"}
        return OrderedDict((name, dict(axes)) for name in ("input_ids", "attention_mask", "token_type_ids"))
