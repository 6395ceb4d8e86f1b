"""SegFormer through onnxcore's conformance suite, with its own image processor."""

from __future__ import annotations

from pathlib import Path

from transformers import SegformerConfig, SegformerImageProcessor

from onnxcore.testing.conformance import ConformanceSuite


class TestSegformerConformance(ConformanceSuite):
    model_type = "segformer"
    distribution = "onnxcore-vit"
    tensorflow_xfail = dict.fromkeys(
        ("default", "image-classification", "semantic-segmentation"),
        "tf2onnx cannot convert TFSegformer's depthwise convolution of the Mix-FFN (TensorFlow op PartitionedCall"
        " of mlp/dwconv is not supported); export from PyTorch weights",
    )

    def tiny_config(self) -> SegformerConfig:
        """Two stages (16 and 32 channels, 2 and 4 heads), one block each, a 24-channel decode head."""
        return SegformerConfig(
            num_encoder_blocks=2,
            depths=[1, 1],
            sr_ratios=[2, 1],
            hidden_sizes=[16, 32],
            patch_sizes=[7, 3],
            strides=[4, 2],
            num_attention_heads=[2, 4],
            mlp_ratios=[2, 2],
            decoder_hidden_size=24,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        SegformerImageProcessor(size={"height": 48, "width": 48}).save_pretrained(directory)
