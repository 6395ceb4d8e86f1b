"""PoolFormer through onnxcore's conformance suite, with its own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import PoolFormerConfig, PoolFormerImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestPoolFormerConformance(ConformanceSuite):
    model_type = "poolformer"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> PoolFormerConfig:
        """PoolFormer's four stages, one block each, 8 to 32 channels."""
        return PoolFormerConfig(hidden_sizes=[8, 16, 24, 32], depths=[1, 1, 1, 1], num_labels=4)

    def save_preprocessor(self, directory: Path) -> None:
        PoolFormerImageProcessor(size={"shortest_edge": 56}, crop_size={"height": 56, "width": 56}).save_pretrained(
            directory
        )
