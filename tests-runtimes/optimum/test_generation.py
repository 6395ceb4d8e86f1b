"""GPT-2, T5 and Whisper with past: Optimum loads the export folder as-is (``use_cache=True``) and its greedy
``generate()`` on a padded batch gives PyTorch's tokens, its logits PyTorch's; GPT-2 is not taken for a legacy
export, T5 and Whisper run the merged decoder. Each test runs on the example and on a kit checkpoint of other sizes
and head counts (conftest.KIT_MODELS)."""

from __future__ import annotations

import pytest
import torch
from optimum.onnxruntime import ORTModelForCausalLM, ORTModelForSeq2SeqLM, ORTModelForSpeechSeq2Seq
from reference import ATOL, GPT2, PROMPTS, T5, WHISPER, empty_t5_cache, greedy
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoModelForSpeechSeq2Seq,
    AutoProcessor,
    AutoTokenizer,
)


@pytest.mark.parametrize("name", GPT2)
def test_gpt2_left_padded_batch_generates_pytorch_tokens(exported, name):
    export = exported(name)
    tokenizer = AutoTokenizer.from_pretrained(export.folder, padding_side="left")
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    assert inputs.attention_mask[1, 0] == 0, "the second prompt should be left-padded"
    model = ORTModelForCausalLM.from_pretrained(export.folder, use_cache=True)
    assert model.can_use_cache
    expected = greedy(AutoModelForCausalLM.from_pretrained(export.checkpoint).eval(), **inputs)
    assert greedy(model, **inputs) == expected


@pytest.mark.parametrize("name", GPT2)
def test_gpt2_left_padded_batch_logits(exported, name):
    export = exported(name)
    tokenizer = AutoTokenizer.from_pretrained(export.folder, padding_side="left")
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    # as generate() numbers the tokens of a left-padded row; PyTorch's forward alone would count the padding
    position_ids = (inputs.attention_mask.cumsum(-1) - 1).clamp(min=0)
    model = ORTModelForCausalLM.from_pretrained(export.folder, use_cache=True)
    reference = AutoModelForCausalLM.from_pretrained(export.checkpoint).eval()
    with torch.no_grad():
        expected = reference(**inputs, position_ids=position_ids).logits
    actual = model(**inputs, position_ids=position_ids).logits
    assert actual.shape == expected.shape
    real = inputs.attention_mask.bool()  # padding positions' logits are meaningless
    torch.testing.assert_close(actual[real], expected[real], atol=ATOL, rtol=0)


def test_gpt2_is_not_a_legacy_export(exported, messages):
    export = exported("gpt2")
    model = ORTModelForCausalLM.from_pretrained(export.folder, use_cache=True)
    assert messages.containing("legacy") == []
    assert "position_ids" in model.input_names
    assert model.path.name == "model.onnx"


@pytest.mark.parametrize("name", T5 + WHISPER)
def test_seq2seq_runs_the_merged_decoder(exported, name):
    export = exported(name)
    model_class = ORTModelForSeq2SeqLM if name in T5 else ORTModelForSpeechSeq2Seq
    model = model_class.from_pretrained(export.folder, use_cache=True)
    assert model.encoder.path.name == "encoder_model.onnx"
    assert model.decoder.path.name == "decoder_model_merged.onnx"
    assert model.decoder.is_merged  # the decoder session takes use_cache_branch
    assert model.decoder_with_past is None
    assert model.can_use_cache


@pytest.mark.parametrize("name", T5)
def test_t5_padded_batch_generates_pytorch_tokens(exported, name):
    export = exported(name)
    tokenizer = AutoTokenizer.from_pretrained(export.folder)
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    assert inputs.attention_mask[1, -1] == 0, "the second prompt should be padded"
    model = ORTModelForSeq2SeqLM.from_pretrained(export.folder, use_cache=True)
    reference = AutoModelForSeq2SeqLM.from_pretrained(export.checkpoint).eval()
    expected = greedy(reference, **inputs, past_key_values=empty_t5_cache())
    assert greedy(model, **inputs) == expected


@pytest.mark.parametrize("name", T5)
def test_t5_padded_batch_logits(exported, name):
    export = exported(name)
    tokenizer = AutoTokenizer.from_pretrained(export.folder)
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    decoder_input_ids = torch.tensor([[0, 5, 9, 17, 4], [0, 3, 3, 8, 30]])  # teacher-forced, no cache yet
    model = ORTModelForSeq2SeqLM.from_pretrained(export.folder, use_cache=True)
    reference = AutoModelForSeq2SeqLM.from_pretrained(export.checkpoint).eval()
    with torch.no_grad():
        expected = reference(**inputs, decoder_input_ids=decoder_input_ids, use_cache=False).logits
    actual = model(**inputs, decoder_input_ids=decoder_input_ids).logits
    assert actual.shape == expected.shape
    torch.testing.assert_close(actual, expected, atol=ATOL, rtol=0)


@pytest.mark.parametrize("name", WHISPER)
def test_whisper_generates_pytorch_tokens(exported, waveform, name):
    export = exported(name)
    processor = AutoProcessor.from_pretrained(export.folder)
    inputs = processor(waveform, sampling_rate=16000, return_tensors="pt")
    model = ORTModelForSpeechSeq2Seq.from_pretrained(export.folder, use_cache=True)
    expected = greedy(AutoModelForSpeechSeq2Seq.from_pretrained(export.checkpoint).eval(), **inputs)
    assert len(expected[0]) > 1
    assert greedy(model, **inputs) == expected


@pytest.mark.parametrize("name", WHISPER)
def test_whisper_batch_generates_pytorch_tokens(exported, waveforms, name):
    export = exported(name)
    processor = AutoProcessor.from_pretrained(export.folder)
    inputs = processor(waveforms, sampling_rate=16000, return_tensors="pt")
    assert inputs.input_features.shape[0] == 2
    model = ORTModelForSpeechSeq2Seq.from_pretrained(export.folder, use_cache=True)
    expected = greedy(AutoModelForSpeechSeq2Seq.from_pretrained(export.checkpoint).eval(), **inputs)
    assert expected[0] != expected[1]
    assert greedy(model, **inputs) == expected
