"""Perceiver through onnxcore's conformance suite: its byte-level PerceiverTokenizer and PerceiverImageProcessor."""

from __future__ import annotations

from pathlib import Path

from transformers import PerceiverConfig, PerceiverImageProcessor, PerceiverTokenizer

from onnxcore.testing.conformance import ConformanceSuite


def tiny_perceiver_config() -> PerceiverConfig:
    """8 latents of 32, 1 block of 2 self-attentions (2 heads); 24-wide byte embeddings for 24 positions;
    32x32 images. ``architectures`` names the image classifier that AutoModelForImageClassification picks
    among Perceiver's three: without it transformers 4.57's ``from_config`` fails iterating None."""
    return PerceiverConfig(
        num_latents=8,
        d_latents=32,
        d_model=24,
        num_blocks=1,
        num_self_attends_per_block=2,
        num_self_attention_heads=2,
        num_cross_attention_heads=1,
        max_position_embeddings=24,
        image_size=32,
        architectures=["PerceiverForImageClassificationLearned"],
    )


def save_perceiver_preprocessors(directory: Path) -> None:
    """Both, as in Perceiver checkpoints: the tokenizer (which needs no vocabulary file) and a 32x32 image
    processor. ``--preprocessor auto`` takes the tokenizer, so image features then draw pixels from the config;
    ``test_perceiver_inputs`` exports through the image processor."""
    PerceiverTokenizer(model_max_length=24).save_pretrained(directory)
    size = {"height": 32, "width": 32}
    PerceiverImageProcessor(crop_size=size, size=size).save_pretrained(directory)


class TestPerceiverConformance(ConformanceSuite):
    model_type = "perceiver"
    distribution = "onnxcore-multimodal"

    def tiny_config(self) -> PerceiverConfig:
        return tiny_perceiver_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_perceiver_preprocessors(directory)
