"""LayoutLM: BERT's inputs plus ``bbox``, one box per token on the page's 2-D position grid."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

import numpy as np

from .config import BertOnnxConfig, ExtraDummyInputs


class LayoutLMOnnxConfig(ExtraDummyInputs, BertOnnxConfig):
    """``input_ids``, ``bbox`` (batch, sequence, 4), ``attention_mask``, ``token_type_ids``, in transformers.onnx's
    order. Dummy boxes lie inside the model's 2-D position table (transformers.onnx's fixed box reached 128, out of
    range for a smaller ``max_2d_position_embeddings``) and are made for any framework, not PyTorch only."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        names = ("input_ids", "bbox", "attention_mask", "token_type_ids")
        return OrderedDict((name, {0: "batch", 1: "sequence"}) for name in names)

    def extra_dummy_inputs(self, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
        rng = np.random.default_rng(sum(shape))  # validation's other shape gets other boxes
        half = max(1, self._config.max_2d_position_embeddings // 2)
        corner = rng.integers(0, half, size=(*shape, 2))
        return {"bbox": np.concatenate([corner, corner + rng.integers(0, half, size=(*shape, 2))], axis=-1)}
