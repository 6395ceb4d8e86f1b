"""ConvNeXt through onnxcore's conformance suite, with ConvNeXt's own image processor; its graph declares height
and width dynamic, so it must also run and match PyTorch at another, non-square size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import torch
from transformers import ConvNextConfig, ConvNextForImageClassification, ConvNextImageProcessor

from onnxcore.testing.conformance import ConformanceSuite
from onnxcore.testing.exports import export_once


class TestConvNextConformance(ConformanceSuite):
    model_type = "convnext"
    distribution = "onnxcore-vit"
    tensorflow_xfail = dict.fromkeys(
        ("default", "image-classification"),
        "tf2onnx cannot convert the PartitionedCall Keras wraps a grouped Conv2D in (ConvNeXt's depthwise `dwconv`):"
        " 'Tensorflow op [...PartitionedCall] is not supported'",
    )

    def tiny_config(self) -> ConvNextConfig:
        """48x48 images, two stages of one block (16 then 32 channels)."""
        return ConvNextConfig(image_size=48, num_stages=2, hidden_sizes=[16, 32], depths=[1, 1], num_labels=4)

    def save_preprocessor(self, directory: Path) -> None:
        ConvNextImageProcessor(size={"shortest_edge": 48}).save_pretrained(directory)

    def test_other_image_size(self, checkpoints: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> None:
        """The suite's image-classification export (shared, not made again) at 56x40 against PyTorch."""
        directory = self.checkpoint("image-classification", checkpoints, tmp_path_factory)
        result = export_once(directory, "image-classification", self.exporters[0], "single")
        pixels = torch.from_numpy(np.random.default_rng(2).standard_normal((3, 3, 56, 40)).astype(np.float32))
        with torch.no_grad():
            expected = ConvNextForImageClassification.from_pretrained(directory).eval()(pixels).logits.numpy()
        session = onnxruntime.InferenceSession(str(result.output / "model.onnx"), providers=["CPUExecutionProvider"])
        (logits,) = session.run(["logits"], {"pixel_values": pixels.numpy()})
        assert logits.shape == (3, 4)
        assert np.abs(logits - expected).max() <= 1e-5 * max(1.0, float(np.abs(expected).max()))
