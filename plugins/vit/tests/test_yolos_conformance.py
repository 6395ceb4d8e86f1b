"""YOLOS through onnxcore's conformance suite, with its own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import YolosConfig, YolosImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestYolosConformance(ConformanceSuite):
    model_type = "yolos"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> YolosConfig:
        """32x48 px pre-training size in 8 px patches, 2 layers of 2 heads, 4 detection tokens."""
        return YolosConfig(
            image_size=[32, 48],
            patch_size=8,
            hidden_size=20,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=28,
            num_detection_tokens=4,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        YolosImageProcessor(size={"shortest_edge": 32, "longest_edge": 48}).save_pretrained(directory)
