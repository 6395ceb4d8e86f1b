"""ONNX contracts of BERT-shaped encoders: transformers.onnx's per-model configs, on onnxcore's base class.

transformers.onnx had one near-identical ``XxxOnnxConfig`` per model type; they differ only in whether the graph
takes ``token_type_ids`` and in DeBERTa's opset, so a few classes here serve every type of the family.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, ClassVar

from onnxcore import OnnxConfig


class BertOnnxConfig(OnnxConfig):
    """``input_ids``, ``attention_mask``, ``token_type_ids``; multiple-choice adds a ``choice`` axis."""

    #: Whether the graph takes ``token_type_ids`` (models without segment embeddings do not).
    takes_token_type_ids: ClassVar[bool] = True

    def uses_token_type_ids(self) -> bool:
        """Whether this model's graph takes ``token_type_ids``; a config value decides it for some types."""
        return self.takes_token_type_ids

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "multiple-choice":
            axes = {0: "batch", 1: "choice", 2: "sequence"}
        else:
            axes = {0: "batch", 1: "sequence"}
        names = ["input_ids", "attention_mask"] + (["token_type_ids"] if self.uses_token_type_ids() else [])
        return OrderedDict((name, dict(axes)) for name in names)

    def generate_dummy_inputs(self, preprocessor: Any, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        """The base's, with all-zero ``token_type_ids`` where the tokenizer returns none (transformers 5's
        ``AlbertTokenizer`` does not) but the graph takes them."""
        dummy = dict(super().generate_dummy_inputs(preprocessor, *args, **kwargs))
        if self.uses_token_type_ids() and "token_type_ids" not in dummy and "input_ids" in dummy:
            dummy["token_type_ids"] = dummy["input_ids"] * 0
        return dummy


class BertWithoutTokenTypesOnnxConfig(BertOnnxConfig):
    """``input_ids`` and ``attention_mask`` only: DistilBERT, CamemBERT, BigBird, Data2VecText, FlauBERT."""

    takes_token_type_ids = False


class DebertaOnnxConfig(BertOnnxConfig):
    """DeBERTa (v1 and v2): ``token_type_ids`` only when ``type_vocab_size > 0`` (the default is 0), opset 12."""

    def uses_token_type_ids(self) -> bool:
        return self._config.type_vocab_size > 0

    @property
    def default_onnx_opset(self) -> int:
        return 12
