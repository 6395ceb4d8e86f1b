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
- ``tiny-vit``: a ViT for masked image modeling (30x30 images, 6x6 patches, 3 labels) with a real image processor.
- ``tiny-whisper``: a Whisper with a real processor (8 mel bins, 1-second chunks, so 100 frames; byte-level BPE
  tokenizer with Whisper's special tokens), 2 encoder and 3 decoder layers, 4 encoder and 2 decoder heads;
  init_std 0.8 and seed 3 make greedy generation vary (15 and 12 different tokens in 20 for the two sounds of
  the generation check); at Whisper's 0.02 it repeats the start token.

The GPT-2, T5 and Whisper builders take other sizes and seeds as keywords: the runtime suites (tests-runtimes/)
build checkpoints of other shapes with them (other head counts and sizes, the same tokenizers and settings).
"""

from __future__ import annotations

from pathlib import Path

from transformers import (
    BertConfig,
    BertModel,
    GPT2Config,
    GPT2LMHeadModel,
    T5Config,
    T5ForConditionalGeneration,
    ViTConfig,
    ViTForMaskedImageModeling,
    ViTImageProcessor,
    WhisperConfig,
    WhisperForConditionalGeneration,
)

from onnxcore.testing.checkpoints import (
    save_byte_level_bpe_tokenizer,
    save_random_model,
    save_unigram_tokenizer,
    save_whisper_processor,
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


def make_tiny_gpt2(target: Path, *, n_embd: int = 32, n_layer: int = 2, n_head: int = 4, seed: int = 0) -> None:
    tokenizer = save_byte_level_bpe_tokenizer(target)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        n_positions=128,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        initializer_range=0.2,
        architectures=["GPT2LMHeadModel"],
    )
    save_random_model(target, GPT2LMHeadModel, config, seed=seed)


def make_tiny_t5(
    target: Path, *, d_model: int = 32, d_kv: int = 6, d_ff: int = 37, num_heads: int = 4, seed: int = 2
) -> None:
    tokenizer = save_unigram_tokenizer(target)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=d_model,
        d_kv=d_kv,
        d_ff=d_ff,
        num_layers=2,
        num_decoder_layers=3,
        num_heads=num_heads,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=20,
        tie_word_embeddings=False,
        initializer_factor=0.5,
        decoder_start_token_id=tokenizer.pad_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["T5ForConditionalGeneration"],
    )
    save_random_model(target, T5ForConditionalGeneration, config, seed=seed)


def make_tiny_vit(target: Path) -> None:
    ViTImageProcessor(size={"height": 30, "width": 30}).save_pretrained(target)
    config = ViTConfig(
        image_size=30,
        patch_size=6,
        encoder_stride=6,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=37,
        num_labels=3,
        architectures=["ViTForMaskedImageModeling"],
    )
    save_random_model(target, ViTForMaskedImageModeling, config)


def make_tiny_whisper(
    target: Path,
    *,
    d_model: int = 32,
    encoder_layers: int = 2,
    decoder_layers: int = 3,
    encoder_attention_heads: int = 4,
    decoder_attention_heads: int = 2,
    ffn_dim: int = 37,
    seed: int = 3,
) -> None:
    processor = save_whisper_processor(target, num_mel_bins=8, chunk_length=1, vocab_size=300)
    tokenizer = processor.tokenizer
    config = WhisperConfig(
        vocab_size=len(tokenizer),
        num_mel_bins=8,
        d_model=d_model,
        encoder_layers=encoder_layers,
        decoder_layers=decoder_layers,
        encoder_attention_heads=encoder_attention_heads,
        decoder_attention_heads=decoder_attention_heads,
        encoder_ffn_dim=ffn_dim,
        decoder_ffn_dim=ffn_dim,
        max_source_positions=50,
        max_target_positions=64,
        init_std=0.8,
        decoder_start_token_id=tokenizer.convert_tokens_to_ids("<|startoftranscript|>"),
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        architectures=["WhisperForConditionalGeneration"],
    )
    save_random_model(target, WhisperForConditionalGeneration, config, seed=seed)


if __name__ == "__main__":
    make_tiny_bert(EXAMPLES / "tiny-bert")
    make_tiny_gpt2(EXAMPLES / "tiny-gpt2")
    make_tiny_t5(EXAMPLES / "tiny-t5")
    make_tiny_vit(EXAMPLES / "tiny-vit")
    make_tiny_whisper(EXAMPLES / "tiny-whisper")
