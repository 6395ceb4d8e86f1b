"""Longformer: RoBERTa's inputs plus ``global_attention_mask``, and its traceable chunking switched on."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from .config import RobertaOnnxConfig, framework_tensor


class LongformerOnnxConfig(RobertaOnnxConfig):
    """``input_ids``, ``attention_mask``, ``global_attention_mask``; ``default`` also returns ``pooler_output``.

    ``onnx_export`` (Longformer's ``as_strided``-free chunking) is set only while exporting and validating, where
    transformers.onnx set it on the caller's config for good.
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = OrderedDict(super().inputs)
        inputs["global_attention_mask"] = dict(inputs["input_ids"])
        return inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        outputs = super().outputs
        if self.task == "default":
            outputs["pooler_output"] = {0: "batch"}
        return outputs

    @property
    def values_override(self) -> Mapping[str, Any] | None:
        return {**(super().values_override or {}), "onnx_export": True}

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    @property
    def default_onnx_opset(self) -> int:
        return max(super().default_onnx_opset, 14)

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
        """Every other token of each sequence attends globally, as in transformers.onnx's dummy inputs."""
        inputs = dict(
            super().generate_dummy_inputs(
                preprocessor, batch_size, seq_length, num_choices, is_pair, framework=framework, **kwargs
            )
        )
        mask = np.zeros(tuple(inputs["input_ids"].shape), dtype=np.int64)
        mask[..., ::2] = 1
        inputs["global_attention_mask"] = framework_tensor(mask, framework)
        return inputs
