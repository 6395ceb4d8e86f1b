"""CodeGen through onnxcore's conformance suite: rotary positions, and CodeGen's fused query/key/value
projection split in four (its heads must be a multiple of 4)."""

from __future__ import annotations

from pathlib import Path

from transformers import CodeGenConfig, CodeGenTokenizerFast

from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 360


class TestCodeGenConformance(ConformanceSuite):
    model_type = "codegen"
    distribution = "onnxcore-gpt2"

    def tiny_config(self) -> CodeGenConfig:
        return CodeGenConfig(
            vocab_size=VOCAB_SIZE,
            n_embd=48,
            n_layer=1,
            n_head=4,
            rotary_dim=6,
            n_positions=96,
            n_ctx=96,
            bos_token_id=0,
            eos_token_id=0,
            initializer_range=0.2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE, tokenizer_class=CodeGenTokenizerFast)
