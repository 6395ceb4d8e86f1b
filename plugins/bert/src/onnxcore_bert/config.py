"""ONNX contracts of BERT-shaped encoders: transformers.onnx's per-model configs, on onnxcore's base class.

transformers.onnx had one near-identical ``XxxOnnxConfig`` per model type; they differ only in whether the graph
takes ``token_type_ids``, in inputs a tokenizer does not make and in DeBERTa's opset, so a few classes here serve
every type of the family.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from onnxcore import OnnxConfig, OptimizerSpec


class BertOnnxConfig(OnnxConfig):
    """``input_ids``, ``attention_mask``, ``token_type_ids``; multiple-choice adds a ``choice`` axis."""

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """ONNX Runtime's BERT fusions (EmbedLayerNormalization, Attention, SkipLayerNormalization, BiasGelu)."""
        return OptimizerSpec("bert", self._config.num_attention_heads, self._config.hidden_size)

    #: Whether the model takes ``token_type_ids`` (RoBERTa-style encoders have no segment embeddings to feed).
    takes_token_type_ids: ClassVar[bool] = True

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "multiple-choice":
            axes = {0: "batch", 1: "choice", 2: "sequence"}
        else:
            axes = {0: "batch", 1: "sequence"}
        names = ["input_ids", "attention_mask"] + (["token_type_ids"] if self.uses_token_type_ids() else [])
        return OrderedDict((name, dict(axes)) for name in names)

    def uses_token_type_ids(self) -> bool:
        """Whether this model's graph takes ``token_type_ids``; a config value decides it for some types."""
        return self.takes_token_type_ids

    def extra_dummy_inputs(self, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
        """Inputs a tokenizer does not make (LayoutLM's ``bbox``, Longformer's ``global_attention_mask``), as numpy
        arrays for ``input_ids`` of ``shape``; none by default."""
        return {}

    def generate_dummy_inputs(
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        num_choices: int = -1,
        is_pair: bool = False,
        framework: Any = None,
        **kwargs: Any,
    ) -> Mapping[str, Any]:
        """The base class's, plus :meth:`extra_dummy_inputs` and zero ``token_type_ids`` where the tokenizer
        returns none (transformers 5's ALBERT, RemBERT and XLM tokenizers), as tensors of ``framework``."""
        from transformers import BatchEncoding  # lazily: keeps the plugin's import light

        inputs = dict(
            super().generate_dummy_inputs(
                preprocessor, batch_size, seq_length, num_choices, is_pair, framework=framework, **kwargs
            )
        )
        shape = tuple(inputs["input_ids"].shape)
        extra = self.extra_dummy_inputs(shape)
        if self.uses_token_type_ids() and "token_type_ids" not in inputs:
            extra["token_type_ids"] = np.zeros(shape, dtype=np.int64)
        return inputs | dict(BatchEncoding(extra, tensor_type=framework))


class BertWithoutTokenTypesOnnxConfig(BertOnnxConfig):
    """``input_ids`` and ``attention_mask`` only: RoBERTa, XLM-RoBERTa, I-BERT, DistilBERT, CamemBERT, BigBird,
    Data2VecText, FlauBERT (no segment embeddings to feed)."""

    takes_token_type_ids = False


class DebertaOnnxConfig(BertOnnxConfig):
    """DeBERTa (v1 and v2): ``token_type_ids`` only when ``type_vocab_size > 0`` (the default is 0), opset 12."""

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """None: DeBERTa's disentangled attention is no pattern of ONNX Runtime's optimizer."""
        return None

    def uses_token_type_ids(self) -> bool:
        return self._config.type_vocab_size > 0

    @property
    def default_onnx_opset(self) -> int:
        return 12
