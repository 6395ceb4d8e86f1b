"""ERNIE through onnxcore's conformance suite: every feature, both exporters; the tiny config turns the task-type
embedding on, so ``task_type_ids`` is a graph input. transformers has no TensorFlow ERNIE, so the TF test checks
that the export is refused."""

from __future__ import annotations

from pathlib import Path

from transformers import ErnieConfig

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestErnieConformance(ConformanceSuite):
    model_type = "ernie"
    distribution = "onnxcore-ernie"

    def tiny_config(self) -> ErnieConfig:
        return ErnieConfig(
            vocab_size=len(wordpiece_vocabulary()),
            hidden_size=36,
            num_hidden_layers=2,
            num_attention_heads=3,
            intermediate_size=48,
            max_position_embeddings=64,
            use_task_id=True,
            task_type_vocab_size=3,
            pad_token_id=0,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory)
