"""ImageGPT through onnxcore's conformance suite: ``ImageGPTImageProcessor`` resizes images to 16x16 and maps each
pixel to the nearest of 16 color clusters, so ``input_ids`` are 256 cluster ids per image. Heads of size 8 (not a
perfect square) check the attention-scale patch of ``ImageGPTOnnxConfig``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from transformers import ImageGPTConfig, ImageGPTImageProcessor

from onnxcore.testing.conformance import ConformanceSuite

CLUSTERS = 16
SIDE = 16


class TestImageGPTConformance(ConformanceSuite):
    model_type = "imagegpt"
    distribution = "onnxcore-gpt2"

    def tiny_config(self) -> ImageGPTConfig:
        """Vocabulary: one id per cluster plus the start-of-sequence id, as ImageGPT checkpoints have."""
        return ImageGPTConfig(
            vocab_size=CLUSTERS + 1,
            n_positions=SIDE * SIDE,
            n_embd=16,
            n_layer=2,
            n_head=2,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        clusters = np.random.default_rng(0).uniform(-1, 1, size=(CLUSTERS, 3)).round(4)
        processor = ImageGPTImageProcessor(clusters=clusters.tolist(), size={"height": SIDE, "width": SIDE})
        processor.save_pretrained(directory)
