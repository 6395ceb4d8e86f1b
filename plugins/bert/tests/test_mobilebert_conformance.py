"""MobileBERT through onnxcore's conformance suite, with a WordPiece tokenizer (MobileBERT's own class)."""

from __future__ import annotations

from pathlib import Path

from transformers import MobileBertConfig, MobileBertTokenizerFast

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestMobileBertConformance(ConformanceSuite):
    model_type = "mobilebert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> MobileBertConfig:
        # the bottleneck (true_hidden_size) is narrower than the residual stream, as in real MobileBERTs
        return MobileBertConfig(
            vocab_size=len(wordpiece_vocabulary()),
            embedding_size=16,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=36,
            intra_bottleneck_size=16,
            true_hidden_size=16,
            num_feedforward_networks=2,
            max_position_embeddings=64,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory, tokenizer_class=MobileBertTokenizerFast)
