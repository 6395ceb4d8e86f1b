"""LayoutLM: BERT's inputs plus ``bbox``, one box per token on the page's 2-D position grid."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from .config import BertOnnxConfig, framework_tensor


class LayoutLMOnnxConfig(BertOnnxConfig):
    """``input_ids``, ``bbox`` (batch, sequence, 4), ``attention_mask``, ``token_type_ids``, in transformers.onnx's
    order. Dummy boxes lie inside the model's 2-D position table (transformers.onnx's fixed box reached 128, out of
    range for a smaller ``max_2d_position_embeddings``) and are made for any framework, not PyTorch only."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        names = ("input_ids", "bbox", "attention_mask", "token_type_ids")
        return OrderedDict((name, {0: "batch", 1: "sequence"}) for name in names)

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
        inputs = dict(
            super().generate_dummy_inputs(
                preprocessor, batch_size, seq_length, num_choices, is_pair, framework=framework, **kwargs
            )
        )
        batch, sequence = tuple(inputs["input_ids"].shape)
        rng = np.random.default_rng(batch * 1000 + sequence)  # validation's other shape gets other boxes
        half = max(1, self._config.max_2d_position_embeddings // 2)
        corner = rng.integers(0, half, size=(batch, sequence, 2))
        box = np.concatenate([corner, corner + rng.integers(0, half, size=(batch, sequence, 2))], axis=-1)
        inputs["bbox"] = framework_tensor(box.astype(np.int64), framework)
        return inputs
