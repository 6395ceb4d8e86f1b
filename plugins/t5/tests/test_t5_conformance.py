"""T5 through onnxcore's conformance suite: every feature, both exporters, both layouts, generation when split."""

from __future__ import annotations

from pathlib import Path

from transformers import T5Config

from onnxcore.testing.checkpoints import save_unigram_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 200


def tiny_t5_config(**overrides: object) -> T5Config:
    """3 heads of size 5 (d_model 24, so not d_model / heads), 3 encoder and 2 decoder layers, tied embeddings
    (T5's rescaled LM head); ids as the Unigram tokenizer makes them: pad 0, eos 1."""
    settings: dict[str, object] = dict(
        vocab_size=VOCAB_SIZE,
        d_model=24,
        d_kv=5,
        d_ff=40,
        num_layers=3,
        num_decoder_layers=2,
        num_heads=3,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=16,
        decoder_start_token_id=0,
        pad_token_id=0,
        eos_token_id=1,
    )
    return T5Config(**(settings | overrides))


class TestT5Conformance(ConformanceSuite):
    model_type = "t5"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> T5Config:
        return tiny_t5_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_unigram_tokenizer(directory, vocab_size=VOCAB_SIZE)
