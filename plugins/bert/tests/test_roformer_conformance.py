"""RoFormer through onnxcore's conformance suite, with a WordPiece tokenizer.

``RoFormerTokenizerFast`` pre-tokenizes with jieba and cannot even be built without ``rjieba``; BERT's WordPiece
tokenizer is the same vocabulary scheme and special tokens without that dependency.
"""

from __future__ import annotations

from pathlib import Path

from transformers import RoFormerConfig

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestRoFormerConformance(ConformanceSuite):
    model_type = "roformer"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> RoFormerConfig:
        # rotary position embeddings rotate pairs of channels: an even head size (28 / 2 = 14)
        return RoFormerConfig(
            vocab_size=len(wordpiece_vocabulary()),
            embedding_size=20,
            hidden_size=28,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=44,
            max_position_embeddings=64,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory)
