"""ernie through onnxcore's conformance suite: every registered feature, both exporters (and TF where
installed), validation, generation for generative features."""

from __future__ import annotations

from typing import Any

from onnxcore.testing.conformance import ConformanceSuite


class TestErnieConformance(ConformanceSuite):
    model_type = "ernie"
    distribution = "onnxcore-ernie"

    def tiny_config(self) -> Any:
        # TODO: a small config of the model type (2 layers, hidden size ~32), e.g.
        #   from transformers import AutoConfig
        #   return AutoConfig.for_model("ernie", num_hidden_layers=2, hidden_size=32, num_attention_heads=4)
        raise NotImplementedError("fill in tiny_config in tests/test_ernie_conformance.py")

    # Optional: write real tokenizer/processor files (onnxcore.testing.checkpoints has helpers):
    # def save_preprocessor(self, directory): ...
