"""GPT-2 from the CLI: the -with-past contract, and the generation check users can rerun."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import onnx
import pytest
from conftest import TINY_GPT2, run_cli


def _dims(value: onnx.ValueInfoProto) -> list[str | int]:
    return [dim.dim_param or dim.dim_value for dim in value.type.tensor_type.shape.dim]


@pytest.mark.parametrize("exporter", ["torchscript", "dynamo"])
@pytest.mark.parametrize("feature", ["causal-lm-with-past", "default-with-past"])
def test_with_past_export_has_the_past_contract(tmp_path: Path, exporter: str, feature: str) -> None:
    run = run_cli("export", "-m", str(TINY_GPT2), "--feature", feature, "--exporter", exporter, "--json", str(tmp_path))
    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result["validation"]["model.onnx"]["ok"]
    if feature == "causal-lm-with-past":
        assert result["generation"]["ok"] and result["generation"]["max_new_tokens"] == 20
    else:
        assert result["generation"] is None  # GPT2Model has no LM head to generate with
    graph = onnx.load(str(tmp_path / "model.onnx")).graph
    inputs = {value.name: _dims(value) for value in graph.input}
    outputs = {value.name: _dims(value) for value in graph.output}
    assert list(inputs) == ["input_ids"] + [f"past_key_values.{i}.{k}" for i in range(2) for k in ("key", "value")] + [
        "attention_mask"
    ]
    assert inputs["past_key_values.1.value"] == ["batch", 4, "past_sequence", 8]
    assert inputs["attention_mask"] == ["batch", "past_sequence + sequence"]
    assert outputs["present.0.key"] == ["batch", 4, "past_sequence + sequence", 8]
    assert next(iter(outputs)) == ("logits" if feature == "causal-lm-with-past" else "last_hidden_state")


@pytest.fixture(scope="module")
def with_past_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("gpt2") / "onnx"
    run = run_cli("export", "-m", str(TINY_GPT2), "--feature", "causal-lm-with-past", str(output))
    assert run.code == 0, run.err
    assert "Greedy generation matches generate()" in run.out and "20 new tokens identical" in run.out
    return output


def test_check_generation_reruns_with_user_prompts(with_past_export: Path) -> None:
    run = run_cli(
        "check-generation",
        "-m",
        str(TINY_GPT2),
        "--prompt",
        "hello world",
        "--prompt",
        "the cat and the dog",
        "--max-new-tokens",
        "7",
        "--json",
        str(with_past_export),
    )
    assert run.code == 0, run.err
    report = json.loads(run.out)
    assert report["ok"] and [len(tokens) for tokens in report["onnx_tokens"]] == [7, 7]


def test_check_generation_against_another_checkpoint_fails_with_the_difference(
    with_past_export: Path, tmp_path: Path
) -> None:
    from transformers import GPT2LMHeadModel

    from onnxcore.testing.checkpoints import save_random_model

    other = tmp_path / "other"
    shutil.copytree(TINY_GPT2, other)
    save_random_model(other, GPT2LMHeadModel, GPT2LMHeadModel.config_class.from_pretrained(TINY_GPT2), seed=7)
    run = run_cli("check-generation", "-m", str(other), str(with_past_export))
    assert run.code == 1
    assert run.error_line == "error: greedy generation in ONNX Runtime differs from the PyTorch model's generate():"
    assert "differs from new token" in run.err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--max-new-tokens", "0"], 2, "--max-new-tokens must be at least 1"),
        (["--prompt", " "], 2, "every --prompt must have some text"),
        (["--max-new-tokens", "200"], 2, "plus 200 new tokens exceeds the model's 128 positions"),
    ],
)
def test_check_generation_bad_arguments(with_past_export: Path, args: list[str], code: int, message: str) -> None:
    run = run_cli("check-generation", "-m", str(TINY_GPT2), *args, str(with_past_export))
    assert run.code == code and message in run.error_line


def test_check_generation_needs_a_with_past_export(tmp_path: Path) -> None:
    assert run_cli("export", "-m", str(TINY_GPT2), "--feature", "causal-lm", "-q", str(tmp_path / "plain")).code == 0
    run = run_cli("check-generation", "-m", str(TINY_GPT2), str(tmp_path / "plain"))
    assert run.code == 2 and "needs a causal-lm-with-past export" in run.error_line
    run = run_cli("check-generation", "-m", str(TINY_GPT2), str(tmp_path / "missing"))
    assert run.code == 2 and "missing does not exist" in run.error_line
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(tmp_path / "plain" / "model.onnx", bare / "model.onnx")
    run = run_cli("check-generation", "-m", str(TINY_GPT2), str(bare))
    assert run.code == 2 and "takes no past_key_values" in run.error_line
    (bare / "onnxcore.json").write_text("{}")
    run = run_cli("check-generation", "-m", str(TINY_GPT2), str(bare))
    assert run.code == 2 and "is it an onnxcore export?" in run.error_line


def test_generation_settings_are_checked_before_exporting(tmp_path: Path) -> None:
    args = ("export", "-m", str(TINY_GPT2), "--feature", "causal-lm-with-past", "--max-new-tokens", "0")
    run = run_cli(*args, str(tmp_path / "out"))
    assert run.code == 2 and "--max-new-tokens must be at least 1" in run.error_line
    assert "Exporting" not in run.err and not (tmp_path / "out").exists()


def test_no_generation_check_records_none(tmp_path: Path) -> None:
    args = ("export", "-m", str(TINY_GPT2), "--feature", "causal-lm-with-past", "--no-generation-check")
    assert run_cli(*args, "-q", str(tmp_path)).code == 0
    assert json.loads((tmp_path / "onnxcore.json").read_text())["generation"] is None
