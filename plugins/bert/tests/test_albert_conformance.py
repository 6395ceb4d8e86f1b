"""ALBERT through onnxcore's conformance suite: factorized embeddings, shared layers, ALBERT's SentencePiece."""

from __future__ import annotations

from pathlib import Path

from bert_family_specials import BERT_TEMPLATE
from transformers import AlbertConfig, AlbertTokenizerFast

from onnxcore.testing.checkpoints import save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 260
#: ALBERT's special tokens in its vocabulary's order: <pad> 0, <unk> 1, [CLS] 2, [SEP] 3, [MASK] 4.
SPECIALS = {
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}


class TestAlbertConformance(ConformanceSuite):
    model_type = "albert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> AlbertConfig:
        return AlbertConfig(
            vocab_size=VOCAB_SIZE,
            embedding_size=16,
            hidden_size=36,
            num_hidden_layers=2,
            num_hidden_groups=1,
            num_attention_heads=3,
            intermediate_size=40,
            max_position_embeddings=40,
            pad_token_id=0,
            bos_token_id=2,
            eos_token_id=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_sentencepiece_tokenizer(
            directory,
            vocab_size=VOCAB_SIZE,
            tokenizer_class=AlbertTokenizerFast,
            special_tokens=SPECIALS,
            template=BERT_TEMPLATE,
        )
