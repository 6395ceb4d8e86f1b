"""DeiT through onnxcore's conformance suite, with DeiT's own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import DeiTConfig, DeiTImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


def tiny_deit_config() -> DeiTConfig:
    """32x32 images in 8x8 patches (16 patches plus the class and distillation tokens), 2 heads of 8.

    ``architectures`` names the distilled head: the class of DeiT's published checkpoints, which
    AutoModelForImageClassification picks by it (without it, transformers 4.57 fails to pick either)."""
    return DeiTConfig(
        image_size=32,
        patch_size=8,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=3,
        architectures=["DeiTForImageClassificationWithTeacher"],
    )


class TestDeiTConformance(ConformanceSuite):
    model_type = "deit"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> DeiTConfig:
        return tiny_deit_config()

    def save_preprocessor(self, directory: Path) -> None:
        size = {"height": 32, "width": 32}
        DeiTImageProcessor(size=size, crop_size=size).save_pretrained(directory)
