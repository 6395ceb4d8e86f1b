"""Generation parity: greedy decoding in ONNX Runtime over the split layout equals PyTorch generate()."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from transformers import AutoTokenizer

from onnxcore.exporters import EXPORTERS
from onnxcore.generation import DEFAULT_PROMPTS, greedy_generate_seq2seq, left_padded_prompts
from onnxcore.pipeline import ExportRequest, ExportResult, check_export_generation, run_export
from onnxcore.testing.exports import export_once
from onnxcore.testing.matrix import tier_exporters
from onnxcore.validate import onnxruntime_session

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "tiny-t5"


@pytest.fixture(scope="module")
def tiny_t5() -> Path:
    """The shipped example: more decoder than encoder layers (transformers' own generate() needs help there),
    d_kv 6 with 4 heads of a 32-wide model, an untied head and weights whose greedy tokens vary. It is built once
    (examples/make_tiny_checkpoints.py) because transformers 5 always ties T5's head at random init, and tied
    random T5s repeat one token."""
    return EXAMPLE


@pytest.fixture(scope="module", params=tier_exporters(EXPORTERS))
def split_export(request: pytest.FixtureRequest, tiny_t5: Path) -> ExportResult:
    return export_once(tiny_t5, "seq2seq-lm-with-past", request.param, "split")


def test_split_export_generates_what_generate_does_on_a_padded_batch(split_export: ExportResult) -> None:
    report = split_export.generation
    assert report is not None and report.ok
    short, long = sorted(report.prompt_lengths)
    assert short < long, "the two prompts must differ in length so that one row is padded"
    assert [len(tokens) for tokens in report.onnx_tokens] == [20, 20]
    assert all(len(set(tokens)) > 3 for tokens in report.onnx_tokens), "a check on repeated tokens proves little"
    assert split_export.manifest["layout"] == "split" and split_export.manifest["generation"]["ok"]


def test_every_split_file_is_validated_on_other_shapes(split_export: ExportResult) -> None:
    reports = split_export.validation
    assert list(reports) == ["encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx"]
    assert reports["encoder_model.onnx"].input_shapes["input_ids"][0] == 3  # export: batch 2
    assert reports["decoder_model.onnx"].input_shapes["encoder_hidden_states"][0] == 3
    with_past = reports["decoder_with_past_model.onnx"].input_shapes
    assert with_past["input_ids"] == (3, 1)  # one new token, as in generation
    assert with_past["past_key_values.2.decoder.key"][1:] == (4, 12, 6)  # 4 heads of d_kv 6; 9 + 3 past tokens
    assert all(report.ok for report in reports.values())


def test_generation_check_reruns_on_an_existing_split_export(tiny_t5: Path, split_export: ExportResult) -> None:
    prompts = ("hello world and the night", "cat", "the dog")
    report = check_export_generation(str(tiny_t5), split_export.output, prompts, max_new_tokens=12)
    assert report.ok and len(report.reference_tokens) == 3


def test_the_check_sees_a_wrong_encoder_mask(tiny_t5: Path, split_export: ExportResult) -> None:
    """Attending to the padding of the short prompt changes its tokens: the comparison is not vacuous."""
    folder = split_export.output
    tokenizer = AutoTokenizer.from_pretrained(tiny_t5)
    input_ids, mask = left_padded_prompts(tokenizer, DEFAULT_PROMPTS, 0, len(tokenizer))
    sessions = [
        onnxruntime_session(folder / f"{name}.onnx")
        for name in ("encoder_model", "decoder_model", "decoder_with_past_model")
    ]

    def tokens(encoder_mask: np.ndarray) -> np.ndarray:
        inputs = {"input_ids": input_ids, "attention_mask": encoder_mask}
        return greedy_generate_seq2seq(*sessions, inputs, 20, decoder_start_token_id=0, eos_token_ids=[1])

    right, wrong = tokens(mask), tokens(np.ones_like(mask))
    padded = int(np.argmin(mask.sum(1)))
    assert right.tolist() == split_export.generation.onnx_tokens
    assert right[padded].tolist() != wrong[padded].tolist()


def test_checkpoint_without_tokenizer_exports_and_generates(tmp_path: Path) -> None:
    """No tokenizer files: dummy inputs come from the config and the generation check uses random token ids."""
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        (bare / name).write_bytes((EXAMPLE / name).read_bytes())
    request = ExportRequest(model=str(bare), output=tmp_path / "onnx", feature="seq2seq-lm-with-past", layout="split")
    result = run_export(request)
    assert all(report.ok for report in result.validation.values())
    assert result.generation is not None and result.generation.ok
