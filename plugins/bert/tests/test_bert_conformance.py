"""BERT through onnxcore's conformance suite: every feature, both exporters."""

from __future__ import annotations

from pathlib import Path

from transformers import BertConfig

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestBertConformance(ConformanceSuite):
    model_type = "bert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> BertConfig:
        return BertConfig(
            vocab_size=len(wordpiece_vocabulary()),
            hidden_size=24,
            num_hidden_layers=2,
            num_attention_heads=3,
            intermediate_size=40,
            max_position_embeddings=64,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory)
