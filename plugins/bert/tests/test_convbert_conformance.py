"""ConvBERT through onnxcore's conformance suite: span-based dynamic convolution heads, a WordPiece tokenizer."""

from __future__ import annotations

from pathlib import Path

from transformers import ConvBertConfig, ConvBertTokenizerFast

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestConvBertConformance(ConformanceSuite):
    model_type = "convbert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> ConvBertConfig:
        return ConvBertConfig(
            vocab_size=len(wordpiece_vocabulary()),
            embedding_size=28,
            hidden_size=28,
            num_hidden_layers=2,
            num_attention_heads=4,
            head_ratio=2,
            conv_kernel_size=3,
            intermediate_size=44,
            max_position_embeddings=36,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory, tokenizer_class=ConvBertTokenizerFast)
