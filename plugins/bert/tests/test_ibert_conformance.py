"""I-BERT through onnxcore's conformance suite, with RoBERTa's tokenizer (I-BERT checkpoints ship RoBERTa's)."""

from __future__ import annotations

from pathlib import Path

from transformers import IBertConfig

from onnxcore.testing.checkpoints import save_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 280


class TestIBertConformance(ConformanceSuite):
    model_type = "ibert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> IBertConfig:
        # quant_mode off, as I-BERT checkpoints are saved: the integer-only kernels are a fine-tuning mode
        return IBertConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=16,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=28,
            max_position_embeddings=70,
            bos_token_id=0,
            pad_token_id=1,
            eos_token_id=2,
            quant_mode=False,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE)
