"""MobileNetV1 through onnxcore's conformance suite, with MobileNetV1's own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import MobileNetV1Config, MobileNetV1ImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestMobileNetV1Conformance(ConformanceSuite):
    model_type = "mobilenet-v1"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> MobileNetV1Config:
        """40x40 images at a quarter of the width (8 to 256 channels).

        At the default initializer range the 14 random layers shrink the outputs to ~1e-33, which compares
        nothing; 0.3 gives outputs of order 1."""
        return MobileNetV1Config(image_size=40, depth_multiplier=0.25, num_labels=3, initializer_range=0.3)

    def save_preprocessor(self, directory: Path) -> None:
        processor = MobileNetV1ImageProcessor(size={"shortest_edge": 40}, crop_size={"height": 40, "width": 40})
        processor.save_pretrained(directory)
