"""BEiT through onnxcore's conformance suite, with BEiT's own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import BeitConfig, BeitImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestBeitConformance(ConformanceSuite):
    model_type = "beit"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> BeitConfig:
        """40x40 images in 8x8 patches, 4 heads of 8, with the relative position bias of BEiT's checkpoints."""
        return BeitConfig(
            image_size=40,
            patch_size=8,
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=4,
            intermediate_size=40,
            use_relative_position_bias=True,
            num_labels=4,
        )

    def save_preprocessor(self, directory: Path) -> None:
        size = {"height": 40, "width": 40}
        BeitImageProcessor(size=size, crop_size=size).save_pretrained(directory)
