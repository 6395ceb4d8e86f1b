"""ViT through onnxcore's conformance suite: every feature, both exporters, inputs from a real image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import ViTConfig, ViTImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


def tiny_vit_config() -> ViTConfig:
    """24x24 images in 4x4 patches (36 patches), 3 heads of 8; masked-im reconstructs through a stride-4 decoder."""
    return ViTConfig(
        image_size=24,
        patch_size=4,
        encoder_stride=4,
        hidden_size=24,
        num_hidden_layers=2,
        num_attention_heads=3,
        intermediate_size=30,
        num_labels=5,
    )


class TestViTConformance(ConformanceSuite):
    model_type = "vit"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> ViTConfig:
        return tiny_vit_config()

    def save_preprocessor(self, directory: Path) -> None:
        ViTImageProcessor(size={"height": 24, "width": 24}).save_pretrained(directory)
