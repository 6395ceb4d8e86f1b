"""RoBERTa through onnxcore's conformance suite, with a byte-level BPE in RoBERTa's scheme (<s>=0 <pad>=1 </s>=2)."""

from __future__ import annotations

from pathlib import Path

from transformers import RobertaConfig

from onnxcore.testing.checkpoints import save_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 320


class TestRobertaConformance(ConformanceSuite):
    model_type = "roberta"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> RobertaConfig:
        # positions are numbered from pad_token_id + 1, so the table reaches past the longest input
        return RobertaConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=4,
            intermediate_size=24,
            max_position_embeddings=72,
            bos_token_id=0,
            pad_token_id=1,
            eos_token_id=2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE)
