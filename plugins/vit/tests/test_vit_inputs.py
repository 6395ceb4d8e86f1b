"""ViT's inputs: a dynamic batch at the checkpoint's image size, from an image processor or the config alone."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
import torch
from onnxcore_vit import ViTOnnxConfig
from test_vit_conformance import tiny_vit_config
from transformers import ViTForImageClassification

from onnxcore.exporters import EXPORTERS
from onnxcore.pipeline import ExportRequest, run_export
from onnxcore.testing.checkpoints import save_random_model
from onnxcore.testing.matrix import tier_exporters
from onnxcore.validate import onnxruntime_session


@pytest.mark.parametrize("exporter", tier_exporters(EXPORTERS))
def test_checkpoint_without_image_processor_uses_config_pixels(tmp_path: Path, exporter: str) -> None:
    checkpoint = tmp_path / "vit"
    save_random_model(checkpoint, ViTForImageClassification, tiny_vit_config())
    output = tmp_path / "onnx"
    result = run_export(
        ExportRequest(model=str(checkpoint), output=output, feature="image-classification", exporter=exporter)
    )
    report = result.validation["model.onnx"]
    assert report.ok and report.input_shapes["pixel_values"] == (3, 3, 24, 24)  # export: batch 2
    graph = onnx.load(str(output / "model.onnx")).graph
    assert [dim.dim_param or dim.dim_value for dim in graph.input[0].type.tensor_type.shape.dim] == ["batch", 3, 24, 24]
    pixels = torch.randn(5, 3, 24, 24)
    model = ViTForImageClassification.from_pretrained(checkpoint).eval()
    with torch.no_grad():
        expected = model(pixel_values=pixels).logits.numpy()
    (logits,) = onnxruntime_session(output / "model.onnx").run(["logits"], {"pixel_values": pixels.numpy()})
    assert logits.shape == (5, 5) and abs(logits - expected).max() < 1e-4


def test_masked_im_returns_the_reconstruction() -> None:
    config = ViTOnnxConfig(tiny_vit_config(), task="masked-im")
    assert dict(config.outputs) == {"reconstruction": {0: "batch"}}
    assert list(config.inputs) == ["pixel_values"] and config.atol_for_validation == 1e-4
