"""The ONNX contract of BERT-shaped encoders: transformers.onnx's ``BertOnnxConfig`` inputs, on onnxcore's base
class, and the RoBERTa-shaped variant without ``token_type_ids``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from onnxcore import OnnxConfig


def framework_tensor(array: np.ndarray, framework: Any) -> Any:
    """``array`` as a tensor of ``framework`` (``"pt"``, ``"tf"``, a ``TensorType``; None keeps numpy), for dummy
    inputs a tokenizer does not make."""
    from transformers import BatchEncoding  # lazily: keeps the plugin's import light

    return BatchEncoding({"array": array}, tensor_type=framework)["array"]


class BertOnnxConfig(OnnxConfig):
    """``input_ids``, ``attention_mask``, ``token_type_ids``; multiple-choice adds a ``choice`` axis."""

    #: Whether the model takes ``token_type_ids`` (RoBERTa-style encoders have no segment embeddings to feed).
    takes_token_type_ids: ClassVar[bool] = True

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "multiple-choice":
            axes = {0: "batch", 1: "choice", 2: "sequence"}
        else:
            axes = {0: "batch", 1: "sequence"}
        names = ("input_ids", "attention_mask", "token_type_ids")[: 3 if self.takes_token_type_ids else 2]
        return OrderedDict((name, dict(axes)) for name in names)


class RobertaOnnxConfig(BertOnnxConfig):
    """``input_ids`` and ``attention_mask`` only (RoBERTa, XLM-RoBERTa, I-BERT), with BERT's axes."""

    takes_token_type_ids = False
