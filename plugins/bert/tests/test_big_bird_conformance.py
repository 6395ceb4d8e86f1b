"""BigBird through onnxcore's conformance suite: BigBird's SentencePiece Unigram tokenizer with [CLS]/[SEP].

The configured attention is block-sparse, but BigBird's forward switches to full attention for sequences of at
most ``(5 + 2 * num_random_blocks) * block_size`` tokens (18 here, 704 with the real block size 64): the export and
validation lengths (8 and 9; 15 and 17 for a multiple-choice pair) are below it, as they are for every real
checkpoint, so the graph is full attention. Block-sparse attention builds its random-block plan in numpy from the
sequence length, which a graph with a dynamic sequence axis cannot hold (see docs/index.md, Known limitations).
"""

from __future__ import annotations

from pathlib import Path

from bert_family_specials import BERT_TEMPLATE
from transformers import BigBirdConfig, BigBirdTokenizerFast

from onnxcore.testing.checkpoints import save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 240
#: BigBird's special tokens in its vocabulary's order: <pad> 0, <s> 1, </s> 2, then <unk> and the BERT-style ones.
SPECIALS = {
    "pad_token": "<pad>",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "unk_token": "<unk>",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}


class TestBigBirdConformance(ConformanceSuite):
    model_type = "big_bird"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> BigBirdConfig:
        return BigBirdConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=16,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=32,
            max_position_embeddings=64,
            attention_type="block_sparse",
            block_size=2,
            num_random_blocks=2,
            pad_token_id=0,
            bos_token_id=1,
            eos_token_id=2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_sentencepiece_tokenizer(
            directory,
            vocab_size=VOCAB_SIZE,
            tokenizer_class=BigBirdTokenizerFast,
            special_tokens=SPECIALS,
            template=BERT_TEMPLATE,
        )
