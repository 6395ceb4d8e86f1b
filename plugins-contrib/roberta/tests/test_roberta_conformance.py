"""RoBERTa through onnxcore's conformance suite: every feature, both exporters."""

from __future__ import annotations

from pathlib import Path

from transformers import RobertaConfig, RobertaTokenizerFast

from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 300


class TestRobertaConformance(ConformanceSuite):
    model_type = "roberta"
    distribution = "onnxcore-roberta"

    def tiny_config(self) -> RobertaConfig:
        # RoBERTa numbers positions from pad_token_id + 1, so it needs positions beyond the longest input
        return RobertaConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=24,
            num_hidden_layers=2,
            num_attention_heads=3,
            intermediate_size=40,
            max_position_embeddings=80,
            pad_token_id=0,
            bos_token_id=0,
            eos_token_id=0,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE, tokenizer_class=RobertaTokenizerFast)
