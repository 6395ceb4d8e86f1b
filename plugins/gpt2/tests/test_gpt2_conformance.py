"""GPT-2 through onnxcore's conformance suite: every feature, both exporters, generation for -with-past."""

from __future__ import annotations

from pathlib import Path

from transformers import GPT2Config

from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 300


def tiny_gpt2_config() -> GPT2Config:
    """3 heads of size 8 (not a power of two), 2 layers; weights wide enough that greedy tokens vary."""
    return GPT2Config(
        vocab_size=VOCAB_SIZE,
        n_embd=24,
        n_layer=2,
        n_head=3,
        n_positions=96,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
        initializer_range=0.2,
    )


class TestGPT2Conformance(ConformanceSuite):
    model_type = "gpt2"
    distribution = "onnxcore-gpt2"

    def tiny_config(self) -> GPT2Config:
        return tiny_gpt2_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE)
