"""GPT-Neo through onnxcore's conformance suite: a global and a local (sliding-window) attention layer, with a
window shorter than the validation and generation sequences, so the local mask is exercised."""

from __future__ import annotations

from pathlib import Path

from transformers import GPTNeoConfig

from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 340


class TestGPTNeoConformance(ConformanceSuite):
    model_type = "gpt-neo"
    distribution = "onnxcore-gpt2"

    def tiny_config(self) -> GPTNeoConfig:
        return GPTNeoConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=40,
            num_layers=2,
            num_heads=4,
            attention_types=[[["global", "local"], 1]],
            window_size=5,
            max_position_embeddings=96,
            bos_token_id=0,
            eos_token_id=0,
            initializer_range=0.2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE)
