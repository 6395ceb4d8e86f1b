"""Data2VecText through onnxcore's conformance suite: RoBERTa's shape and byte-level BPE tokenizer."""

from __future__ import annotations

from pathlib import Path

from transformers import Data2VecTextConfig, RobertaTokenizerFast

from onnxcore.testing.checkpoints import save_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 330


class TestData2VecTextConformance(ConformanceSuite):
    model_type = "data2vec-text"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> Data2VecTextConfig:
        # <s> 0, <pad> 1, </s> 2 as in the tokenizer; positions start at pad_token_id + 1
        return Data2VecTextConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=30,
            num_hidden_layers=3,
            num_attention_heads=2,
            intermediate_size=34,
            max_position_embeddings=44,
            bos_token_id=0,
            pad_token_id=1,
            eos_token_id=2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE, tokenizer_class=RobertaTokenizerFast)
