"""BLOOM through onnxcore's conformance suite: ALiBi biases from the attention mask (3 heads, so the slopes
take the non-power-of-two path), no position ids."""

from __future__ import annotations

from pathlib import Path

from transformers import BloomConfig

from onnxcore.testing.checkpoints import save_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

try:
    from transformers import BloomTokenizerFast
except ImportError:  # transformers 5 removed the class: BLOOM checkpoints load with the generic fast tokenizer
    from transformers import PreTrainedTokenizerFast as BloomTokenizerFast

VOCAB_SIZE = 260
#: BLOOM's special tokens in its id order: <unk> 0, <s> 1, </s> 2, <pad> 3; texts are not wrapped in them.
SPECIALS = {"unk_token": "<unk>", "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>"}


class TestBloomConformance(ConformanceSuite):
    model_type = "bloom"
    distribution = "onnxcore-gpt2"

    def tiny_config(self) -> BloomConfig:
        return BloomConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=30,
            n_layer=2,
            n_head=3,
            bos_token_id=1,
            eos_token_id=2,
            pad_token_id=3,
            initializer_range=0.2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_bpe_tokenizer(directory, VOCAB_SIZE, BloomTokenizerFast, special_tokens=SPECIALS, template=None)
