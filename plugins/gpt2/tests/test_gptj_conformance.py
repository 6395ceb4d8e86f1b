"""GPT-J through onnxcore's conformance suite: rotary positions on part of each head (``rotary_dim``)."""

from __future__ import annotations

from pathlib import Path

from transformers import GPTJConfig

from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

VOCAB_SIZE = 320
TF_ROTARY = (
    "TFGPTJAttention keeps its sinusoidal position table as a captured tensor, which tf2onnx 1.17 turns into extra"
    " graph inputs (transformer/h_._0/attn/GatherV2/params:0 ...), so the graph breaks the contract"
)


class TestGPTJConformance(ConformanceSuite):
    model_type = "gptj"
    distribution = "onnxcore-gpt2"
    # transformers 4.57 has TF GPT-J classes for every feature; none exports through tf2onnx 1.17
    tensorflow_xfail = dict.fromkeys(
        (
            "default",
            "default-with-past",
            "causal-lm",
            "causal-lm-with-past",
            "question-answering",
            "sequence-classification",
        ),
        TF_ROTARY,
    )

    def tiny_config(self) -> GPTJConfig:
        """4 heads of size 8, rotary on 4 of the 8 dims; no pad id, as GPT-J checkpoints ship."""
        return GPTJConfig(
            vocab_size=VOCAB_SIZE,
            n_embd=32,
            n_layer=2,
            n_head=4,
            rotary_dim=4,
            n_positions=96,
            bos_token_id=0,
            eos_token_id=0,
            initializer_range=0.2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE)
