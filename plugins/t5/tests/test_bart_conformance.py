"""The BART-shaped models through onnxcore's conformance suite, each with the tokenizer kind its checkpoints ship.

Every tiny config has more encoder than decoder heads or layers, or the reverse, so that a cache sized from the
wrong side fails; ``init_std`` is wide enough that greedy tokens vary (the generation check must see real tokens).
"""

from __future__ import annotations

from pathlib import Path

from t5_bart_tokenizers import save_blenderbot_small_tokenizer, save_marian_tokenizer
from transformers import BlenderbotSmallConfig, MarianConfig

from onnxcore.testing.conformance import ConformanceSuite

MARIAN_VOCAB = 120
BLENDERBOT_SMALL_VOCAB = 300


def tiny_marian_config(**overrides: object) -> MarianConfig:
    """4 encoder and 2 decoder heads of a 32-wide model, 2 encoder layers and 1 decoder layer; Marian's ids:
    eos 0, pad the last id and the decoder start, as opus-mt checkpoints have them."""
    settings: dict[str, object] = dict(
        vocab_size=MARIAN_VOCAB,
        d_model=32,
        encoder_layers=2,
        decoder_layers=1,
        encoder_attention_heads=4,
        decoder_attention_heads=2,
        encoder_ffn_dim=40,
        decoder_ffn_dim=40,
        max_position_embeddings=64,
        init_std=0.2,
        eos_token_id=0,
        pad_token_id=MARIAN_VOCAB - 1,
        decoder_start_token_id=MARIAN_VOCAB - 1,
        forced_eos_token_id=None,
    )
    return MarianConfig(**(settings | overrides))


def tiny_blenderbot_small_config(**overrides: object) -> BlenderbotSmallConfig:
    """2 encoder and 4 decoder heads of a 40-wide model, 1 encoder and 2 decoder layers; ids of
    ``facebook/blenderbot_small-90M``: pad 0, bos and decoder start 1, eos 2."""
    settings: dict[str, object] = dict(
        vocab_size=BLENDERBOT_SMALL_VOCAB,
        d_model=40,
        encoder_layers=1,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=4,
        encoder_ffn_dim=48,
        decoder_ffn_dim=48,
        max_position_embeddings=64,
        init_std=0.2,
        pad_token_id=0,
        bos_token_id=1,
        eos_token_id=2,
        decoder_start_token_id=1,
        forced_eos_token_id=None,
    )
    return BlenderbotSmallConfig(**(settings | overrides))


class TestMarianConformance(ConformanceSuite):
    model_type = "marian"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> MarianConfig:
        return tiny_marian_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_marian_tokenizer(directory, vocab_size=MARIAN_VOCAB)


class TestBlenderbotSmallConformance(ConformanceSuite):
    model_type = "blenderbot-small"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> BlenderbotSmallConfig:
        return tiny_blenderbot_small_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_blenderbot_small_tokenizer(directory, vocab_size=BLENDERBOT_SMALL_VOCAB)
