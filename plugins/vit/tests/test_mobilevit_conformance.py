"""MobileViT through onnxcore's conformance suite, with MobileViT's own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import MobileViTConfig, MobileViTImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestMobileViTConformance(ConformanceSuite):
    model_type = "mobilevit"
    distribution = "onnxcore-vit"
    tensorflow_xfail = dict.fromkeys(
        ("default", "image-classification"),
        "tf2onnx cannot convert the PartitionedCall Keras wraps a grouped Conv2D in (MobileViT's depthwise `conv_3x3`):"
        " 'Tensorflow op [...PartitionedCall] is not supported'",
    )

    def tiny_config(self) -> MobileViTConfig:
        """64x64 images; transformer blocks of 16, 24 and 32 channels with 2 heads.

        At the default initializer range the random model outputs exact zeros, which compares nothing; 0.4
        gives outputs of order 1."""
        return MobileViTConfig(
            image_size=64,
            hidden_sizes=[16, 24, 32],
            neck_hidden_sizes=[8, 8, 16, 16, 24, 32, 48],
            num_attention_heads=2,
            num_labels=4,
            initializer_range=0.4,
        )

    def save_preprocessor(self, directory: Path) -> None:
        processor = MobileViTImageProcessor(size={"shortest_edge": 64}, crop_size={"height": 64, "width": 64})
        processor.save_pretrained(directory)
