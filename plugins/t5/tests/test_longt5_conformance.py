"""LongT5 through onnxcore's conformance suite, with transient-global attention over several blocks.

The radius and block size are small enough that the export's inputs and the validation's longer ones span several
local blocks and global blocks, so a graph that baked in one block count fails validation."""

from __future__ import annotations

from pathlib import Path

from transformers import LongT5Config

from onnxcore.testing.checkpoints import save_unigram_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 240


def tiny_longt5_config(**overrides: object) -> LongT5Config:
    """3 heads of size 6 in a 18-wide model, 1 encoder and 2 decoder layers; local radius 2 (blocks of 3 tokens)
    and global blocks of 4 tokens; ids as the Unigram tokenizer makes them: pad 0, eos 1."""
    settings: dict[str, object] = dict(
        vocab_size=VOCAB_SIZE,
        d_model=18,
        d_kv=6,
        d_ff=28,
        num_layers=1,
        num_decoder_layers=2,
        num_heads=3,
        local_radius=2,
        global_block_size=4,
        encoder_attention_type="transient-global",
        relative_attention_num_buckets=8,
        relative_attention_max_distance=20,
        decoder_start_token_id=0,
        pad_token_id=0,
        eos_token_id=1,
    )
    return LongT5Config(**(settings | overrides))


class TestLongT5Conformance(ConformanceSuite):
    model_type = "longt5"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> LongT5Config:
        return tiny_longt5_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_unigram_tokenizer(directory, vocab_size=VOCAB_SIZE)
