"""T5 from the CLI: the split layout a generation loop runs (the encoder and the merged decoder), and its generation
check."""

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
    assert f"All good, models saved in {output}: encoder_model.onnx, decoder_model_merged.onnx" in run.out
    return output


def test_split_layout_writes_the_encoder_and_the_merged_decoder_with_their_contracts(split_export: Path) -> None:
    files = ("encoder_model.onnx", "decoder_model_merged.onnx")
    assert sorted(path.name for path in split_export.glob("*.onnx*")) == sorted(files)  # nor model.onnx, nor .data
    assert not (split_export / "decoder_model.onnx").exists()
    assert not (split_export / "decoder_with_past_model.onnx").exists()  # merged into decoder_model_merged.onnx
    manifest = json.loads((split_export / "onnxcore.json").read_text())
    assert manifest["layout"] == "split" and set(files) <= set(manifest["files"])
    assert list(manifest["validation"]) == [*files, "decoder_model_merged.onnx#with_past"]  # both branches checked
    assert all(report["ok"] for report in manifest["validation"].values())
    merged = onnx.load(str(split_export / "decoder_model_merged.onnx")).graph
    inputs = {value.name: _dims(value) for value in merged.input}
    assert list(inputs)[:3] == ["input_ids", "encoder_attention_mask", "encoder_hidden_states"]
    assert list(inputs)[-2:] == ["past_key_values.2.encoder.value", "use_cache_branch"]  # tiny-t5: 3 decoder layers
    assert len(inputs) == 3 + 3 * 4 + 1
    assert inputs["use_cache_branch"] == [1] and merged.input[-1].type.tensor_type.elem_type == onnx.TensorProto.BOOL
    assert inputs["past_key_values.2.encoder.key"] == ["batch", "past_heads", "past_encoder_sequence", "past_head_size"]
    assert inputs["past_key_values.0.decoder.value"][2] == "past_decoder_sequence"
    past_dims = [dim for name, dims in inputs.items() if name.startswith("past_key_values.") for dim in dims]
    assert all(isinstance(dim, str) for dim in past_dims)  # the first step's past is empty, of any shape
    outputs = {value.name: _dims(value) for value in merged.output}
    assert len(outputs) == 1 + 3 * 4 and outputs["present.2.decoder.key"][1::2] == [4, 6]  # d_kv 6
    assert outputs["present.0.encoder.key"] == ["batch", "present_heads", "encoder_sequence", "present_head_size"]


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
