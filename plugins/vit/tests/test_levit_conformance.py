"""LeViT through onnxcore's conformance suite, with LeViT's own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import LevitConfig, LevitImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestLevitConformance(ConformanceSuite):
    model_type = "levit"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> LevitConfig:
        """64x64 images (4x4 after the stride-16 stem), three stages of one block (16, 32, 48 channels).

        ``architectures`` names the distilled head, the class of LeViT's published checkpoints, which
        AutoModelForImageClassification picks by it (without it, transformers 4.57 fails to pick either).
        At the default initializer range the random model's outputs are ~1e-10, which compares nothing; 0.2 gives
        outputs of order 1."""
        return LevitConfig(
            image_size=64,
            hidden_sizes=[16, 32, 48],
            num_attention_heads=[2, 2, 4],
            depths=[1, 1, 1],
            key_dim=[8, 8, 8],
            mlp_ratio=[2, 2, 2],
            attention_ratio=[2, 2, 2],
            num_labels=3,
            initializer_range=0.2,
            architectures=["LevitForImageClassificationWithTeacher"],
        )

    def save_preprocessor(self, directory: Path) -> None:
        processor = LevitImageProcessor(size={"shortest_edge": 64}, crop_size={"height": 64, "width": 64})
        processor.save_pretrained(directory)
