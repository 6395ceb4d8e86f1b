"""BLOOM through onnxcore's conformance suite: ALiBi biases from the attention mask (3 heads, so the slopes
take the non-power-of-two path), no position ids."""

from __future__ import annotations

from pathlib import Path

from transformers import BloomConfig, BloomTokenizerFast

from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 260


class TestBloomConformance(ConformanceSuite):
    model_type = "bloom"
    distribution = "onnxcore-gpt2"

    def tiny_config(self) -> BloomConfig:
        return BloomConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=30,
            n_layer=2,
            n_head=3,
            bos_token_id=0,
            eos_token_id=0,
            pad_token_id=0,
            initializer_range=0.2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE, tokenizer_class=BloomTokenizerFast)
