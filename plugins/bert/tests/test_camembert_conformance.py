"""CamemBERT through onnxcore's conformance suite: RoBERTa's shape, a SentencePiece Unigram tokenizer."""

from __future__ import annotations

from pathlib import Path

from transformers import CamembertConfig, CamembertTokenizerFast

from onnxcore.testing.checkpoints import save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 280


class TestCamembertConformance(ConformanceSuite):
    model_type = "camembert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> CamembertConfig:
        # <s> 0, <pad> 1, </s> 2 as in the tokenizer; positions start at pad_token_id + 1
        return CamembertConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=44,
            num_hidden_layers=1,
            num_attention_heads=4,
            intermediate_size=52,
            max_position_embeddings=48,
            bos_token_id=0,
            pad_token_id=1,
            eos_token_id=2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_sentencepiece_tokenizer(directory, vocab_size=VOCAB_SIZE, tokenizer_class=CamembertTokenizerFast)
