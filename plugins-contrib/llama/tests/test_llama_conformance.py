"""Llama, Mistral and Qwen2 through onnxcore's conformance suite: every feature, both exporters, generation for
-with-past. The tiny configs use grouped-query attention (4 query heads share 2 key/value heads)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from transformers import LlamaConfig, MistralConfig, Qwen2Config

from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 300
SIZES = dict(
    vocab_size=VOCAB_SIZE,
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=4,
    num_key_value_heads=2,
    max_position_embeddings=128,
    bos_token_id=0,
    eos_token_id=0,
    pad_token_id=0,
    initializer_range=0.2,
)


class LlamaFamilySuite(ConformanceSuite):
    distribution = "onnxcore-llama"
    config_class: Any

    def tiny_config(self) -> Any:
        return self.config_class(**SIZES)

    def save_preprocessor(self, directory: Path) -> None:
        save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE)


class TestLlamaConformance(LlamaFamilySuite):
    model_type = "llama"
    config_class = LlamaConfig


class TestMistralConformance(LlamaFamilySuite):
    model_type = "mistral"
    config_class = MistralConfig


class TestQwen2Conformance(LlamaFamilySuite):
    model_type = "qwen2"
    config_class = Qwen2Config
