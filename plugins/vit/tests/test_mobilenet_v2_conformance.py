"""MobileNetV2 through onnxcore's conformance suite, with its own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import MobileNetV2Config, MobileNetV2ImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestMobileNetV2Conformance(ConformanceSuite):
    model_type = "mobilenet_v2"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> MobileNetV2Config:
        """A quarter of the channels (at least 4) on 64 px images. The layer count is fixed by the architecture;
        weights drawn wider than the default 0.02, whose activations vanish through 17 blocks (outputs ~1e-26 would
        validate anything)."""
        return MobileNetV2Config(
            image_size=64,
            depth_multiplier=0.25,
            depth_divisible_by=4,
            min_depth=4,
            finegrained_output=False,
            initializer_range=0.25,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        MobileNetV2ImageProcessor(size={"shortest_edge": 64}, crop_size={"height": 64, "width": 64}).save_pretrained(
            directory
        )
