"""Perceiver's image classifier through its own image processor, as ``--preprocessor image_processor`` gives it."""

from __future__ import annotations

from pathlib import Path

from test_perceiver_conformance import save_perceiver_preprocessors, tiny_perceiver_config
from transformers import PerceiverForImageClassificationLearned

from onnxcore.pipeline import ExportRequest, run_export
from onnxcore.testing.checkpoints import save_random_model


def test_image_classification_through_the_image_processor(tmp_path: Path) -> None:
    checkpoint = tmp_path / "perceiver"
    save_random_model(checkpoint, PerceiverForImageClassificationLearned, tiny_perceiver_config())
    save_perceiver_preprocessors(checkpoint)
    request = ExportRequest(
        model=str(checkpoint), output=tmp_path / "onnx", feature="image-classification", preprocessor="image_processor"
    )
    report = run_export(request).validation["model.onnx"]
    assert report.ok and report.input_shapes == {"inputs": (3, 3, 32, 32)}  # export: batch 2
