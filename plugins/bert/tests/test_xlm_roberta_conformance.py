"""XLM-RoBERTa through onnxcore's conformance suite, with a SentencePiece-style Unigram (<s> <pad> </s> <unk>)."""

from __future__ import annotations

from pathlib import Path

from transformers import XLMRobertaConfig

from onnxcore.testing.checkpoints import save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 260


class TestXLMRobertaConformance(ConformanceSuite):
    model_type = "xlm-roberta"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> XLMRobertaConfig:
        return XLMRobertaConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=40,
            num_hidden_layers=1,
            num_attention_heads=4,
            intermediate_size=20,
            max_position_embeddings=66,
            bos_token_id=0,
            pad_token_id=1,
            eos_token_id=2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_sentencepiece_tokenizer(directory, vocab_size=VOCAB_SIZE)
