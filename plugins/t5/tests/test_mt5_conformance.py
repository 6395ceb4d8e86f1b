"""mT5 through onnxcore's conformance suite: T5's contract on mT5's untied, gated-GELU model."""

from __future__ import annotations

from pathlib import Path

from transformers import MT5Config

try:
    from transformers import MT5TokenizerFast
except ImportError:  # transformers 5 serves mT5 with T5's tokenizer
    from transformers import T5TokenizerFast as MT5TokenizerFast

from onnxcore.testing.checkpoints import save_unigram_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 260


class TestMT5Conformance(ConformanceSuite):
    model_type = "mt5"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> MT5Config:
        """2 heads of size 10 in a 16-wide model, 2 encoder and 1 decoder layers, mT5's untied head and gated
        GELU; ids as the Unigram tokenizer makes them: pad 0, eos 1."""
        return MT5Config(
            vocab_size=VOCAB_SIZE,
            d_model=16,
            d_kv=10,
            d_ff=36,
            num_layers=2,
            num_decoder_layers=1,
            num_heads=2,
            relative_attention_num_buckets=6,
            relative_attention_max_distance=12,
            decoder_start_token_id=0,
            pad_token_id=0,
            eos_token_id=1,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_unigram_tokenizer(directory, vocab_size=VOCAB_SIZE, tokenizer_class=MT5TokenizerFast)
