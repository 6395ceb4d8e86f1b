"""ViT and Whisper from the CLI: image and audio inputs, and Whisper's split layout with its generation check."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
from conftest import TINY_VIT, TINY_WHISPER, run_cli


def _dims(value: onnx.ValueInfoProto) -> list[str | int]:
    return [dim.dim_param or dim.dim_value for dim in value.type.tensor_type.shape.dim]


@pytest.mark.parametrize("feature", ["default", "image-classification", "masked-im"])
def test_vit_exports_from_its_image_processor(tmp_path: Path, feature: str) -> None:
    run = run_cli(
        "export", "-m", str(TINY_VIT), "--feature", feature, "--preprocessor", "image_processor", str(tmp_path)
    )
    assert run.code == 0, run.err
    graph = onnx.load(str(tmp_path / "model.onnx")).graph
    assert [(value.name, _dims(value)) for value in graph.input] == [("pixel_values", ["batch", 3, 30, 30])]
    expected = {"default": "last_hidden_state", "image-classification": "logits", "masked-im": "reconstruction"}
    assert [value.name for value in graph.output] == [expected[feature]]
    assert (tmp_path / "preprocessor_config.json").is_file()


def test_whisper_split_export_and_its_generation_check(tmp_path: Path) -> None:
    output = tmp_path / "onnx"
    run = run_cli(
        "export",
        "-m",
        str(TINY_WHISPER),
        "--feature",
        "automatic-speech-recognition-with-past",
        "--layout",
        "split",
        str(output),
    )
    assert run.code == 0, run.err
    assert run.out.count("20 new tokens identical") == 2
    encoder = onnx.load(str(output / "encoder_model.onnx")).graph
    assert [(value.name, _dims(value)) for value in encoder.input] == [("input_features", ["batch", 8, 100])]
    manifest = json.loads((output / "onnxcore.json").read_text())
    assert manifest["feature"] == "speech2seq-lm-with-past" and manifest["layout"] == "split"
    generation_config = json.loads((output / "generation_config.json").read_text())  # generating from the folder
    assert (
        generation_config["decoder_start_token_id"]
        == json.loads((TINY_WHISPER / "config.json").read_text())["decoder_start_token_id"]
    )
    assert generation_config["begin_suppress_tokens"] == [220, 50256]
    run = run_cli("check-generation", "-m", str(TINY_WHISPER), "--max-new-tokens", "5", "--json", str(output))
    assert run.code == 0, run.err
    assert json.loads(run.out)["onnx_tokens"] and json.loads(run.out)["ok"]


def test_quiet_vit_export_with_an_unused_random_pooler_validates_again(tmp_path: Path) -> None:
    """tiny-vit is a classification checkpoint: its ViTModel pooler is drawn at random (and not exported); --quiet
    prints the path and onnxcore's warning only, and validate draws the same pooler again."""
    output = tmp_path / "out"
    run = run_cli("export", "-q", "-m", str(TINY_VIT), str(output), process=True)  # what the process prints
    assert run.code == 0 and run.out.splitlines() == [str(output / "model.onnx")]
    assert run.err.splitlines() == [line for line in run.err.splitlines() if line.startswith("warning: ")], run.err
    assert "has no weights for pooler.dense.bias, pooler.dense.weight" in run.err
    assert json.loads((output / "onnxcore.json").read_text())["newly_initialized"] == [
        "pooler.dense.bias",
        "pooler.dense.weight",
    ]
    again = run_cli("validate", "-q", str(output), process=True)
    assert (again.code, again.out, again.err) == (0, "", "")
