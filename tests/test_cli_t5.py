"""T5 from the CLI: the split layout a generation loop runs, and its generation check."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
from conftest import TINY_T5, run_cli


def _dims(value: onnx.ValueInfoProto) -> list[str | int]:
    return [dim.dim_param or dim.dim_value for dim in value.type.tensor_type.shape.dim]


@pytest.fixture(scope="module")
def split_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("t5") / "onnx"
    run = run_cli("export", "-m", str(TINY_T5), "--feature", "seq2seq-lm-with-past", "--layout", "split", str(output))
    assert run.code == 0, run.err
    assert "Greedy generation matches generate()" in run.out and run.out.count("20 new tokens identical") == 2
    assert "All good, models saved in" in run.out
    return output


def test_split_layout_writes_the_three_files_with_their_contracts(split_export: Path) -> None:
    files = ("encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx")
    assert all((split_export / name).is_file() for name in files) and not (split_export / "model.onnx").exists()
    manifest = json.loads((split_export / "onnxcore.json").read_text())
    assert manifest["layout"] == "split" and list(manifest["validation"]) == list(files)
    with_past = onnx.load(str(split_export / "decoder_with_past_model.onnx")).graph
    inputs = {value.name: _dims(value) for value in with_past.input}
    assert inputs["past_key_values.2.encoder.key"] == [
        "batch",
        4,
        "encoder_sequence",
        6,
    ]  # tiny-t5: 3 decoder layers, d_kv 6
    assert inputs["past_key_values.0.decoder.value"] == ["batch", 4, "past_decoder_sequence", 6]
    assert "encoder_hidden_states" not in inputs and "present.0.encoder.key" not in {v.name for v in with_past.output}


def test_check_generation_reruns_on_the_split_folder(split_export: Path) -> None:
    run = run_cli(
        "check-generation",
        "-m",
        str(TINY_T5),
        "--prompt",
        "the cat",
        "--prompt",
        "hello world and night",
        "--max-new-tokens",
        "8",
        "--json",
        str(split_export),
    )
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["ok"] and [len(tokens) for tokens in report["onnx_tokens"]] == [8, 8]


def test_check_generation_needs_the_split_layout(tmp_path: Path) -> None:
    run = run_cli("export", "-m", str(TINY_T5), "--feature", "seq2seq-lm-with-past", str(tmp_path / "single"))
    assert run.code == 0, run.err
    assert "Greedy generation" not in run.out
    run = run_cli("check-generation", "-m", str(TINY_T5), str(tmp_path / "single"))
    assert run.code == 2 and "made with --layout split" in run.error_line
