"""ELECTRA through onnxcore's conformance suite: an embedding size below the hidden size, a WordPiece tokenizer."""

from __future__ import annotations

from pathlib import Path

from transformers import ElectraConfig, ElectraTokenizerFast

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestElectraConformance(ConformanceSuite):
    model_type = "electra"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> ElectraConfig:
        return ElectraConfig(
            vocab_size=len(wordpiece_vocabulary()),
            embedding_size=12,
            hidden_size=20,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=36,
            max_position_embeddings=40,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory, tokenizer_class=ElectraTokenizerFast)
