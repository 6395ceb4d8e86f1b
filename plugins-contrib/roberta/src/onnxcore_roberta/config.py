"""RoBERTa's ONNX contract: BERT's, without ``token_type_ids`` (transformers.onnx's ``RobertaOnnxConfig``)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from onnxcore_bert import BertOnnxConfig


class RobertaOnnxConfig(BertOnnxConfig):
    """``input_ids`` and ``attention_mask``, with BERT's axes (a ``choice`` axis for multiple choice)."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict((name, axes) for name, axes in super().inputs.items() if name != "token_type_ids")
