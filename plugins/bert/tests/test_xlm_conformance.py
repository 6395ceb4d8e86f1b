"""XLM through onnxcore's conformance suite, with XLM's own BPE tokenizer (a slow tokenizer: ``vocab.json`` and
``merges.txt`` with ``</w>`` word ends, Moses pre-tokenization through ``sacremoses``)."""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import XLMConfig, XLMTokenizer

from onnxcore.testing.checkpoints import WORDS
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 360
#: XLM's special tokens in id order: bos, eos (also sep and cls), pad, unk, then <special0>-<special9>
#: (<special1> is the mask), as XLM checkpoints number them and XLMConfig's *_index defaults expect.
SPECIALS = ["<s>", "</s>", "<pad>", "<unk>", *(f"<special{index}>" for index in range(10))]


def save_xlm_tokenizer(directory: Path, vocab_size: int = VOCAB_SIZE) -> XLMTokenizer:
    """Train a BPE with XLM's ``</w>`` word-end suffix on the kit's words; write XLM's two files and load them."""
    bpe = Tokenizer(models.BPE(unk_token="<unk>", end_of_word_suffix="</w>"))
    bpe.pre_tokenizer = pre_tokenizers.Whitespace()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=SPECIALS, end_of_word_suffix="</w>")
    bpe.train_from_iterator([" ".join(WORDS[i : i + 12]) for i in range(0, len(WORDS), 6)], trainer)
    directory.mkdir(parents=True, exist_ok=True)
    vocab_file, merges_file = directory / "vocab.json", directory / "merges.txt"
    vocab_file.write_text(json.dumps(bpe.get_vocab()))
    merges = json.loads(bpe.to_str())["model"]["merges"]
    merges_file.write_text("".join(f"{' '.join(merge) if isinstance(merge, list) else merge}\n" for merge in merges))
    tokenizer = XLMTokenizer(str(vocab_file), str(merges_file))
    tokenizer.save_pretrained(directory)
    return tokenizer


class TestXLMConformance(ConformanceSuite):
    model_type = "xlm"
    distribution = "onnxcore-bert"
    #: transformers 4.57's TFXLMForMultipleChoice reads ``config.initializer_range``, which XLM's config does not have
    tensorflow_xfail = {
        "multiple-choice": (
            "transformers: TFXLMForMultipleChoice cannot be built: AttributeError: 'XLMConfig' object has no"
            " attribute 'initializer_range' (XLM's config names it init_std)"
        )
    }

    def tiny_config(self) -> XLMConfig:
        return XLMConfig(
            vocab_size=VOCAB_SIZE,
            emb_dim=28,
            n_layers=2,
            n_heads=2,
            max_position_embeddings=64,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_xlm_tokenizer(directory)
