"""Generation parity: greedy decoding in ONNX Runtime over Whisper's split layout equals transformers' generic
greedy generate() (Whisper's forced and suppressed tokens off), for two sounds of different lengths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnxcore_whisper import WhisperOnnxConfig
from test_whisper_conformance import tiny_whisper_config
from transformers import WhisperForConditionalGeneration, WhisperProcessor

from onnxcore.exporters import EXPORTERS
from onnxcore.generation import generation_reference, greedy_generate_seq2seq
from onnxcore.pipeline import ExportResult, check_export_generation
from onnxcore.testing.exports import export_once
from onnxcore.testing.matrix import tier_exporters
from onnxcore.validate import onnxruntime_session

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "tiny-whisper"
ENCODER, MERGED = "encoder_model.onnx", "decoder_model_merged.onnx"


@pytest.fixture(scope="module", params=tier_exporters(EXPORTERS))
def split_export(request: pytest.FixtureRequest) -> ExportResult:
    """The shipped example (init_std 0.8, so that greedy tokens vary; at Whisper's 0.02 it repeats one)."""
    return export_once(EXAMPLE, "speech2seq-lm-with-past", request.param, "split")


def test_split_export_generates_what_generate_does_for_two_sounds(split_export: ExportResult) -> None:
    report = split_export.generation
    assert report is not None and report.ok
    assert report.prompt_lengths == [16000, 9600]  # 1 s and 0.6 s of audio at 16 kHz
    assert [len(tokens) for tokens in report.onnx_tokens] == [20, 20]
    assert all(len(set(tokens)) > 3 for tokens in report.onnx_tokens), "a check on repeated tokens proves little"


def test_split_export_is_the_encoder_and_one_merged_decoder(split_export: ExportResult) -> None:
    folder = split_export.output
    assert sorted(path.name for path in folder.glob("*.onnx*")) == [MERGED, ENCODER]  # no decoder(_with_past)_model
    assert split_export.onnx_files == [folder / ENCODER, folder / MERGED]
    graph = onnx.load(str(folder / MERGED)).graph
    assert [(node.op_type, list(node.input)) for node in graph.node] == [("If", ["use_cache_branch"])]
    names = [value.name for value in graph.input]
    assert names[:2] == ["input_ids", "encoder_hidden_states"]  # no encoder_attention_mask: the encoder takes none
    caches = [f"{kind}.{tensor}" for kind in ("decoder", "encoder") for tensor in ("key", "value")]
    assert names[2:-1] == [f"past_key_values.{i}.{cache}" for i in range(3) for cache in caches]  # 3 decoder layers
    flag = graph.input[-1]
    assert flag.name == "use_cache_branch" and flag.type.tensor_type.elem_type == onnx.TensorProto.BOOL
    assert [dim.dim_value for dim in flag.type.tensor_type.shape.dim] == [1]
    presents = [name.replace("past_key_values", "present") for name in names[2:-1]]
    assert [value.name for value in graph.output] == ["logits", *presents]


def test_the_encoder_and_both_branches_of_the_merged_decoder_are_validated(split_export: ExportResult) -> None:
    reports = split_export.validation
    assert list(reports) == [ENCODER, MERGED, f"{MERGED}#with_past"]
    assert list(split_export.manifest["validation"]) == list(reports)
    assert reports[ENCODER].input_shapes["input_features"] == (3, 8, 100)
    first = reports[MERGED].input_shapes
    assert first["encoder_hidden_states"] == (3, 50, 32) and first["past_key_values.2.encoder.key"] == (3, 2, 0, 16)
    with_past = reports[f"{MERGED}#with_past"].input_shapes
    assert "encoder_attention_mask" not in with_past and "encoder_attention_mask" not in first  # Whisper's: none
    assert with_past["past_key_values.2.encoder.key"] == (3, 2, 50, 16)  # 3 decoder layers, 2 heads of 32 / 2
    assert first["use_cache_branch"] == with_past["use_cache_branch"] == (1,)
    assert all(report.ok for report in reports.values())


def test_greedy_generation_through_the_merged_decoder_is_generate_s(split_export: ExportResult) -> None:
    model = WhisperForConditionalGeneration.from_pretrained(EXAMPLE)
    reference = generation_reference(model, WhisperProcessor.from_pretrained(EXAMPLE), max_new_tokens=12)
    encoder, decoder = (onnxruntime_session(split_export.output / name) for name in (ENCODER, MERGED))
    tokens = greedy_generate_seq2seq(
        encoder, decoder, reference.inputs, 12, reference.decoder_start, reference.eos, reference.pad
    )
    assert tokens.tolist() == reference.tokens.tolist() and tokens.shape == (2, 12)


def test_generation_check_reruns_on_an_existing_split_export(split_export: ExportResult) -> None:
    report = check_export_generation(str(EXAMPLE), split_export.output, max_new_tokens=8)
    assert report.ok and [len(tokens) for tokens in report.reference_tokens] == [8, 8]


def test_dummy_audio_honours_rate_duration_and_frequency(tmp_path: Path) -> None:
    """A 440 Hz tone and a 2000 Hz tone give different mel features; 0.2 s of sound leaves the rest padding."""
    processor = WhisperProcessor.from_pretrained(EXAMPLE)
    config = WhisperOnnxConfig(tiny_whisper_config(num_mel_bins=8), task="speech2seq-lm")

    def features(**audio: float) -> np.ndarray:
        inputs = config.generate_dummy_inputs(processor, framework="pt", **audio)
        return inputs["input_features"].numpy()

    low, high = features(frequency=440, time_duration=0.2), features(frequency=2000, time_duration=0.2)
    assert low.shape == (2, 8, 100) and not np.allclose(low, high)
    assert np.allclose(low[..., 30:], low[..., -1:])  # 0.2 s is 20 frames; padding after it is constant
    # the same tone generated at 8 kHz and resampled is close to the 22.05 kHz one, far from the other tone
    resampled = features(sampling_rate=8000, frequency=440, time_duration=0.2)
    assert np.abs(resampled - low)[..., :20].mean() < np.abs(high - low)[..., :20].mean() / 10


def test_dummy_inputs_from_either_half_of_the_processor() -> None:
    """``--preprocessor tokenizer`` or ``feature_extractor``: the other half comes from the model config."""
    processor = WhisperProcessor.from_pretrained(EXAMPLE)
    config = WhisperOnnxConfig(tiny_whisper_config(num_mel_bins=8), task="speech2seq-lm")
    for part in (processor.tokenizer, processor.feature_extractor, None):
        inputs = config.generate_dummy_inputs(part, framework="pt")
        assert inputs["input_features"].shape == (2, 8, 100) and inputs["decoder_input_ids"].shape[0] == 2
