"""Rebuild the shipped tiny checkpoints: random weights (seed 0) and real tokenizers, built offline.

python examples/make_tiny_checkpoints.py

- ``tiny-bert``: a 2-layer BERT with a WordPiece tokenizer.
- ``tiny-gpt2``: a 2-layer GPT-2 LM with a byte-level BPE tokenizer. Its weights use initializer_range 0.2
  (GPT-2's is 0.02) so that greedy generation picks varied tokens instead of repeating one, which makes the
  generation check meaningful.
- ``tiny-t5``: a T5 LM with a Unigram (SentencePiece-style) tokenizer, 2 encoder and 3 decoder layers, and a
  head size (``d_kv`` 6) that is not ``d_model / num_heads`` (8), so a config that guesses either is caught.
  Untied embeddings, initializer_factor 0.5 and seed 2 make greedy generation vary (19 and 20 different
  tokens in 21 for the two default prompts); with T5's defaults it repeats one token.
"""

from __future__ import annotations

from pathlib import Path

from transformers import BertConfig, BertModel, GPT2Config, GPT2LMHeadModel, T5Config, T5ForConditionalGeneration

from onnxcore.testing.checkpoints import (
    save_byte_level_bpe_tokenizer,
    save_random_model,
    save_unigram_tokenizer,
    save_wordpiece_tokenizer,
)

EXAMPLES = Path(__file__).parent


def make_tiny_bert(target: Path) -> None:
    tokenizer = save_wordpiece_tokenizer(target)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=37,
        max_position_embeddings=128,
        architectures=["BertModel"],
    )
    save_random_model(target, BertModel, config)


def make_tiny_gpt2(target: Path) -> None:
    tokenizer = save_byte_level_bpe_tokenizer(target)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_embd=32,
        n_layer=2,
        n_head=4,
        n_positions=128,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        initializer_range=0.2,
        architectures=["GPT2LMHeadModel"],
    )
    save_random_model(target, GPT2LMHeadModel, config)


def make_tiny_t5(target: Path) -> None:
    tokenizer = save_unigram_tokenizer(target)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=32,
        d_kv=6,
        d_ff=37,
        num_layers=2,
        num_decoder_layers=3,
        num_heads=4,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=20,
        tie_word_embeddings=False,
        initializer_factor=0.5,
        decoder_start_token_id=tokenizer.pad_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["T5ForConditionalGeneration"],
    )
    save_random_model(target, T5ForConditionalGeneration, config, seed=2)


if __name__ == "__main__":
    make_tiny_bert(EXAMPLES / "tiny-bert")
    make_tiny_gpt2(EXAMPLES / "tiny-gpt2")
    make_tiny_t5(EXAMPLES / "tiny-t5")
