"""ConvNeXt through onnxcore's conformance suite, with ConvNeXt's own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import ConvNextConfig, ConvNextImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestConvNextConformance(ConformanceSuite):
    model_type = "convnext"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> ConvNextConfig:
        """48x48 images, two stages of one block (16 then 32 channels)."""
        return ConvNextConfig(image_size=48, num_stages=2, hidden_sizes=[16, 32], depths=[1, 1], num_labels=4)

    def save_preprocessor(self, directory: Path) -> None:
        ConvNextImageProcessor(size={"shortest_edge": 48}).save_pretrained(directory)
