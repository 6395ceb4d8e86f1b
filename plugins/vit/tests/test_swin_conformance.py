"""Swin through onnxcore's conformance suite, with the ViT image processor Swin's checkpoints use."""

from __future__ import annotations

from pathlib import Path

from transformers import SwinConfig, ViTImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestSwinConformance(ConformanceSuite):
    model_type = "swin"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> SwinConfig:
        """32x32 images in 2x2 patches, two stages of one block in 4x4 windows (16 then 32 channels)."""
        return SwinConfig(
            image_size=32,
            patch_size=2,
            embed_dim=16,
            depths=[1, 1],
            num_heads=[2, 4],
            window_size=4,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        ViTImageProcessor(size={"height": 32, "width": 32}).save_pretrained(directory)
