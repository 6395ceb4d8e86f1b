"""DistilBERT through onnxcore's conformance suite: no ``token_type_ids``, a WordPiece tokenizer."""

from __future__ import annotations

from pathlib import Path

from transformers import DistilBertConfig, DistilBertTokenizerFast

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestDistilBertConformance(ConformanceSuite):
    model_type = "distilbert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> DistilBertConfig:
        return DistilBertConfig(
            vocab_size=len(wordpiece_vocabulary()),
            dim=32,
            n_layers=2,
            n_heads=4,
            hidden_dim=48,
            max_position_embeddings=48,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory, tokenizer_class=DistilBertTokenizerFast)
