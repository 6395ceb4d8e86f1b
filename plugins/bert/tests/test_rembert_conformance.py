"""RemBERT through onnxcore's conformance suite, with a SentencePiece-style Unigram in RemBERT's scheme."""

from __future__ import annotations

from pathlib import Path

from transformers import RemBertConfig, RemBertTokenizerFast

from onnxcore.testing.checkpoints import save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 240
#: RemBERT's special tokens in id order; [CLS] and [SEP] double as bos and eos.
SPECIALS = {
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "cls_token": "[CLS]",
    "bos_token": "[CLS]",
    "sep_token": "[SEP]",
    "eos_token": "[SEP]",
    "mask_token": "[MASK]",
}


class TestRemBertConformance(ConformanceSuite):
    model_type = "rembert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> RemBertConfig:
        # decoupled embeddings: narrow input embeddings, wider output embeddings than the hidden size
        return RemBertConfig(
            vocab_size=VOCAB_SIZE,
            input_embedding_size=12,
            output_embedding_size=36,
            hidden_size=24,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=30,
            max_position_embeddings=64,
            pad_token_id=0,
            bos_token_id=2,
            eos_token_id=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_sentencepiece_tokenizer(
            directory,
            vocab_size=VOCAB_SIZE,
            tokenizer_class=RemBertTokenizerFast,
            special_tokens=SPECIALS,
            template=("[CLS] $A [SEP]", "[CLS] $A [SEP] $B [SEP]"),
        )
