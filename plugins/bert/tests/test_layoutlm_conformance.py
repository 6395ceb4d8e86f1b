"""LayoutLM through onnxcore's conformance suite, with a WordPiece tokenizer (LayoutLM's own class)."""

from __future__ import annotations

from pathlib import Path

from transformers import LayoutLMConfig, LayoutLMTokenizerFast

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestLayoutLMConformance(ConformanceSuite):
    model_type = "layoutlm"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> LayoutLMConfig:
        # a 2-D position table of 100 cells, smaller than the box transformers.onnx's dummy inputs used
        return LayoutLMConfig(
            vocab_size=len(wordpiece_vocabulary()),
            hidden_size=20,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=30,
            max_position_embeddings=64,
            max_2d_position_embeddings=100,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory, tokenizer_class=LayoutLMTokenizerFast)
