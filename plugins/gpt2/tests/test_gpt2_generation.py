"""Generation parity: greedy decoding in ONNX Runtime over causal-lm-with-past equals PyTorch generate()."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from onnxcore_gpt2 import GPT2OnnxConfig
from test_gpt2_conformance import VOCAB_SIZE, tiny_gpt2_config
from transformers import AutoTokenizer, GPT2LMHeadModel

from onnxcore.errors import ValidationError
from onnxcore.exporters import EXPORTERS, export
from onnxcore.generation import check_generation
from onnxcore.pipeline import ExportRequest, ExportResult, check_export_generation, run_export
from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer, save_random_model
from onnxcore.testing.exports import export_once
from onnxcore.testing.matrix import tier_exporters


@pytest.fixture(scope="module")
def tiny_gpt2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tiny-gpt2-lm")
    save_byte_level_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE)
    save_random_model(directory, GPT2LMHeadModel, tiny_gpt2_config(), seed=1)
    return directory


@pytest.fixture(scope="module", params=tier_exporters(EXPORTERS))
def with_past_export(request: pytest.FixtureRequest, tiny_gpt2: Path, tmp_path_factory) -> ExportResult:
    return export_once(tiny_gpt2, "causal-lm-with-past", request.param)


def test_export_generates_what_generate_does_on_a_left_padded_batch(with_past_export: ExportResult) -> None:
    report = with_past_export.generation
    assert report is not None and report.ok
    short, long = sorted(report.prompt_lengths)
    assert short < long, "the two prompts must differ in length so that one row is left-padded"
    assert [len(tokens) for tokens in report.onnx_tokens] == [20, 20]
    assert all(len(set(tokens)) > 3 for tokens in report.onnx_tokens), "a check on repeated tokens proves little"
    assert with_past_export.manifest["generation"]["ok"]


def test_validation_runs_a_padded_batch_at_another_past_length(with_past_export: ExportResult) -> None:
    shapes = with_past_export.validation["model.onnx"].input_shapes
    assert shapes["input_ids"] == (3, 9)  # export: batch 2, sequence 8
    assert shapes["past_key_values.1.value"] == (3, 3, 11, 8)  # export: past 10
    assert shapes["attention_mask"] == (3, 20)
    assert [check.name for check in with_past_export.validation["model.onnx"].checks][1:] == [
        f"present.{layer}.{kind}" for layer in range(2) for kind in ("key", "value")
    ]


def test_generation_check_reruns_on_an_existing_export(tiny_gpt2: Path, with_past_export: ExportResult) -> None:
    prompts = ("hello world and the night", "cat")
    report = check_export_generation(str(tiny_gpt2), with_past_export.output, prompts, max_new_tokens=12)
    assert report.ok and [len(tokens) for tokens in report.reference_tokens] == [12, 12]


def test_generation_check_catches_positions_that_ignore_left_padding(tiny_gpt2: Path, tmp_path: Path) -> None:
    class PlainPositions(GPT2OnnxConfig):
        position_ids_from_attention_mask = False

    model = GPT2LMHeadModel.from_pretrained(tiny_gpt2, attn_implementation="eager")
    tokenizer = AutoTokenizer.from_pretrained(tiny_gpt2)
    config = PlainPositions.with_past(model.config, task="causal-lm")
    export(tokenizer, model, config, 13, tmp_path / "model.onnx")
    with pytest.raises(ValidationError, match="input 1 .* differs from new token 0"):
        check_generation(tmp_path / "model.onnx", model, tokenizer)


def test_with_past_exports_from_a_checkpoint_without_tokenizer(tiny_gpt2: Path, tmp_path: Path) -> None:
    weights_only = tmp_path / "weights"
    weights_only.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_gpt2 / name, weights_only / name)
    result = run_export(ExportRequest(model=str(weights_only), output=tmp_path / "onnx", feature="causal-lm-with-past"))
    assert result.validation["model.onnx"].ok and result.generation is not None and result.generation.ok


def test_python_api_with_a_default_loaded_model(tiny_gpt2: Path, tmp_path: Path) -> None:
    """As transformers.onnx users call it: a model loaded with transformers' defaults (SDPA), opset 13."""
    from onnxcore import validate_model_outputs

    model = GPT2LMHeadModel.from_pretrained(tiny_gpt2)
    assert model.config._attn_implementation == "sdpa"
    tokenizer = AutoTokenizer.from_pretrained(tiny_gpt2)
    config = GPT2OnnxConfig.with_past(model.config, task="causal-lm")
    _, outputs = export(tokenizer, model, config, config.default_onnx_opset, tmp_path / "model.onnx")
    assert validate_model_outputs(config, tokenizer, model, tmp_path / "model.onnx", outputs, 1e-4).ok
    assert check_generation(tmp_path / "model.onnx", model, tokenizer).ok
