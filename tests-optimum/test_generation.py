"""GPT-2, T5 and Whisper with past: Optimum loads the export folder as-is (``use_cache=True``) and its greedy
``generate()`` gives PyTorch's tokens; GPT-2 is not taken for a legacy export, T5 and Whisper run the merged
decoder."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from optimum.onnxruntime import ORTModelForCausalLM, ORTModelForSeq2SeqLM, ORTModelForSpeechSeq2Seq
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoModelForSpeechSeq2Seq,
    AutoProcessor,
    AutoTokenizer,
    DynamicCache,
    EncoderDecoderCache,
)

MAX_NEW_TOKENS = 10
PROMPTS = ["the quick brown fox jumps over", "hello"]  # a padded batch: lengths differ


def greedy(model: Any, **inputs: Any) -> list[list[int]]:
    """Greedy ``generate()`` tokens of a PyTorch or an Optimum model (both are transformers GenerationMixins)."""
    with torch.no_grad():
        output = model.generate(**inputs, do_sample=False, num_beams=1, max_new_tokens=MAX_NEW_TOKENS)
    return output.tolist()


def test_gpt2_left_padded_batch_generates_pytorch_tokens(exported):
    export = exported("gpt2")
    tokenizer = AutoTokenizer.from_pretrained(export.folder, padding_side="left")
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    assert inputs.attention_mask[1, 0] == 0, "the second prompt should be left-padded"
    model = ORTModelForCausalLM.from_pretrained(export.folder, use_cache=True)
    assert model.can_use_cache
    expected = greedy(AutoModelForCausalLM.from_pretrained(export.checkpoint).eval(), **inputs)
    assert greedy(model, **inputs) == expected


def test_gpt2_is_not_a_legacy_export(exported, messages):
    export = exported("gpt2")
    model = ORTModelForCausalLM.from_pretrained(export.folder, use_cache=True)
    assert messages.containing("legacy") == []
    assert "position_ids" in model.input_names
    assert model.path.name == "model.onnx"


@pytest.mark.parametrize("name", ["t5", "whisper"])
def test_seq2seq_runs_the_merged_decoder(exported, name):
    export = exported(name)
    model_class = ORTModelForSeq2SeqLM if name == "t5" else ORTModelForSpeechSeq2Seq
    model = model_class.from_pretrained(export.folder, use_cache=True)
    assert model.encoder.path.name == "encoder_model.onnx"
    assert model.decoder.path.name == "decoder_model_merged.onnx"
    assert model.decoder.is_merged  # the decoder session takes use_cache_branch
    assert model.decoder_with_past is None
    assert model.can_use_cache


def test_t5_padded_batch_generates_pytorch_tokens(exported):
    export = exported("t5")
    tokenizer = AutoTokenizer.from_pretrained(export.folder)
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    assert inputs.attention_mask[1, -1] == 0, "the second prompt should be padded"
    model = ORTModelForSeq2SeqLM.from_pretrained(export.folder, use_cache=True)
    # PyTorch's generate() sizes its cache by the encoder's 2 layers and fails on the decoder's 3: start it empty
    reference = AutoModelForSeq2SeqLM.from_pretrained(export.checkpoint).eval()
    expected = greedy(reference, **inputs, past_key_values=EncoderDecoderCache(DynamicCache(), DynamicCache()))
    assert greedy(model, **inputs) == expected


def test_whisper_generates_pytorch_tokens(exported, waveform):
    export = exported("whisper")
    processor = AutoProcessor.from_pretrained(export.folder)
    inputs = processor(waveform, sampling_rate=16000, return_tensors="pt")
    model = ORTModelForSpeechSeq2Seq.from_pretrained(export.folder, use_cache=True)
    expected = greedy(AutoModelForSpeechSeq2Seq.from_pretrained(export.checkpoint).eval(), **inputs)
    assert len(expected[0]) > 1
    assert greedy(model, **inputs) == expected
