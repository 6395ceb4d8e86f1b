"""Generation parity: greedy decoding in ONNX Runtime over the split layout equals PyTorch generate()."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_t5_contract import cache_names
from transformers import AutoTokenizer

from onnxcore.exporters import EXPORTERS
from onnxcore.generation import DEFAULT_PROMPTS, greedy_generate_seq2seq, left_padded_prompts
from onnxcore.pipeline import ExportRequest, ExportResult, check_export_generation, run_export
from onnxcore.testing.exports import export_once
from onnxcore.testing.matrix import tier_exporters
from onnxcore.validate import onnxruntime_session

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "tiny-t5"
#: What the split layout of a -with-past feature leaves in the folder (no decoder_model.onnx and
#: decoder_with_past_model.onnx: they are traced, merged into one file and deleted).
SPLIT_FILES = ["encoder_model.onnx", "decoder_model_merged.onnx"]
MERGED = "decoder_model_merged.onnx"


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


def test_split_export_is_the_encoder_and_the_merged_decoder_with_optimum_s_contract(
    split_export: ExportResult,
) -> None:
    folder = split_export.output
    assert split_export.onnx_files == [folder / name for name in SPLIT_FILES]
    assert sorted(path.name for path in folder.glob("*.onnx*")) == sorted(SPLIT_FILES)  # nor any .onnx.data
    assert not (folder / "decoder_model.onnx").exists() and not (folder / "decoder_with_past_model.onnx").exists()
    assert set(SPLIT_FILES) <= set(split_export.manifest["files"])
    merged = onnxruntime_session(folder / MERGED)
    inputs = {value.name: value for value in merged.get_inputs()}
    past = cache_names(3)  # tiny-t5: 3 decoder layers
    assert list(inputs) == ["input_ids", "encoder_attention_mask", "encoder_hidden_states", *past, "use_cache_branch"]
    assert (inputs["use_cache_branch"].type, inputs["use_cache_branch"].shape) == ("tensor(bool)", [1])
    assert inputs["past_key_values.2.encoder.key"].shape == [
        "batch",
        "past_heads",
        "past_encoder_sequence",
        "past_head_size",
    ]
    assert all(isinstance(dim, str) for name in past for dim in inputs[name].shape)  # the first step's is empty
    assert [value.name for value in merged.get_outputs()] == ["logits", *cache_names(3, "present")]


def test_the_merged_decoder_s_branches_agree_and_the_cross_attention_cache_comes_once(
    split_export: ExportResult,
) -> None:
    """Step 0 (``use_cache_branch`` false, empty past) returns the whole cache; step 1 (true, step 0's cache fed
    back) returns the grown self-attention cache, an empty cross-attention one, and the logits the first-step
    branch gives on both tokens."""
    encoder, decoder = (onnxruntime_session(split_export.output / name) for name in SPLIT_FILES)
    input_ids = np.array([[5, 9, 13, 17]])
    mask = np.ones_like(input_ids)
    hidden = encoder.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
    cross = {"encoder_attention_mask": mask, "encoder_hidden_states": hidden}
    empty = {name: np.zeros((1, 4, 0, 6), np.float32) for name in cache_names(3)}
    outputs = [value.name for value in decoder.get_outputs()]

    def step(tokens: list[int], past: dict[str, np.ndarray], later: bool) -> dict[str, np.ndarray]:
        feeds = {"input_ids": np.array([tokens]), **cross, **past, "use_cache_branch": np.array([later])}
        return dict(zip(outputs, decoder.run(outputs, feeds)))

    first = step([0], empty, later=False)
    assert first["present.2.encoder.value"].shape == (1, 4, 4, 6) and first["present.0.decoder.key"].shape[2] == 1
    cache = {name.replace("present", "past_key_values"): first[name] for name in outputs[1:]}
    later = step([7], cache, later=True)
    assert later["present.0.decoder.key"].shape == (1, 4, 2, 6)
    assert all(later[name].size == 0 for name in outputs if ".encoder." in name)
    whole = step([0, 7], empty, later=False)
    np.testing.assert_allclose(later["logits"][:, -1], whole["logits"][:, -1], atol=1e-5)


def test_the_encoder_and_both_branches_of_the_merged_decoder_are_validated_on_other_shapes(
    split_export: ExportResult,
) -> None:
    reports = split_export.validation
    assert list(reports) == ["encoder_model.onnx", MERGED, f"{MERGED}#with_past"]
    assert list(split_export.manifest["validation"]) == list(reports)
    assert reports["encoder_model.onnx"].input_shapes["input_ids"][0] == 3  # export: batch 2
    first = reports[MERGED].input_shapes
    assert first["encoder_hidden_states"][0] == 3
    assert first["past_key_values.2.decoder.key"] == (3, 4, 0, 6) and first["use_cache_branch"] == (1,)  # empty past
    assert [check.name for check in reports[MERGED].checks] == ["logits", *cache_names(3, "present")]
    with_past = reports[f"{MERGED}#with_past"].input_shapes
    assert with_past["input_ids"] == (3, 1)  # one new token, as in generation
    assert with_past["past_key_values.2.decoder.key"][1:] == (4, 12, 6)  # 4 heads of d_kv 6; 9 + 3 past tokens
    assert with_past["use_cache_branch"] == (1,)
    assert not [check.name for check in reports[f"{MERGED}#with_past"].checks if ".encoder." in check.name]
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
    sessions = [onnxruntime_session(folder / name) for name in SPLIT_FILES]  # the encoder and the merged decoder

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
    assert [path.name for path in result.onnx_files] == SPLIT_FILES
    assert all(report.ok for report in result.validation.values())
    assert result.generation is not None and result.generation.ok
