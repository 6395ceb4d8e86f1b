"""SqueezeBERT through onnxcore's conformance suite, with a WordPiece tokenizer (SqueezeBERT's own class)."""

from __future__ import annotations

from pathlib import Path

from transformers import SqueezeBertConfig, SqueezeBertTokenizerFast

from onnxcore.testing.checkpoints import save_wordpiece_tokenizer, wordpiece_vocabulary
from onnxcore.testing.conformance import ConformanceSuite


class TestSqueezeBertConformance(ConformanceSuite):
    model_type = "squeezebert"
    distribution = "onnxcore-bert"

    def tiny_config(self) -> SqueezeBertConfig:
        # grouped 1x1 convolutions: hidden and intermediate sizes divide by their group counts
        return SqueezeBertConfig(
            vocab_size=len(wordpiece_vocabulary()),
            embedding_size=36,
            hidden_size=36,
            num_hidden_layers=2,
            num_attention_heads=3,
            intermediate_size=48,
            q_groups=2,
            k_groups=2,
            v_groups=2,
            post_attention_groups=2,
            intermediate_groups=4,
            output_groups=2,
            max_position_embeddings=64,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_wordpiece_tokenizer(directory, tokenizer_class=SqueezeBertTokenizerFast)
