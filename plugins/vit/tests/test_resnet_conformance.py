"""ResNet through onnxcore's conformance suite, with the ConvNeXT image processor ResNet checkpoints ship."""

from __future__ import annotations

from pathlib import Path

from transformers import ConvNextImageProcessor, ResNetConfig

from onnxcore.testing.conformance import ConformanceSuite


class TestResNetConformance(ConformanceSuite):
    model_type = "resnet"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> ResNetConfig:
        """Two basic-block stages of 16 and 32 channels."""
        return ResNetConfig(embedding_size=16, hidden_sizes=[16, 32], depths=[1, 1], layer_type="basic", num_labels=3)

    def save_preprocessor(self, directory: Path) -> None:
        ConvNextImageProcessor(size={"shortest_edge": 48}).save_pretrained(directory)
