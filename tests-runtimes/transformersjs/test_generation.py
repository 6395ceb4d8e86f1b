"""GPT-2, T5 and Whisper with past in transformers.js: its greedy ``generate()``, one input at a time and on a padded
batch (GPT-2 padded on the left, T5 on the right), gives the tokens of PyTorch's ``generate()`` on the same inputs.
The batch tests and Whisper's run on the example and on a kit checkpoint of other sizes and head counts
(conftest.KIT_MODELS). Whisper is checked one sound at a time only: transformers.js 4.3.2's Whisper generate()
does not take a batch of features (it keeps one row of start tokens: "The encoder outputs have a different batch
size (2) than the decoder inputs (1).")."""

from __future__ import annotations

import pytest
import torch
from reference import GPT2, MAX_NEW_TOKENS, PROMPTS, T5, WHISPER, empty_t5_cache, greedy
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoModelForSpeechSeq2Seq,
    AutoProcessor,
    AutoTokenizer,
)

GENERATE = {"prompts": PROMPTS, "max_new_tokens": MAX_NEW_TOKENS}


@pytest.mark.parametrize(
    ("name", "task", "auto_class", "cache"),
    [
        ("gpt2", "causal-lm-with-past", AutoModelForCausalLM, None),
        ("t5", "seq2seq-lm-with-past", AutoModelForSeq2SeqLM, empty_t5_cache),
    ],
)
def test_each_prompt_generates_pytorch_tokens(exported, transformersjs, name, task, auto_class, cache):
    export = exported(name)
    result = transformersjs(export.folder, task, GENERATE)
    tokenizer = AutoTokenizer.from_pretrained(export.folder)
    model = auto_class.from_pretrained(export.checkpoint).eval()
    for prompt, input_ids, sequence in zip(PROMPTS, result["input_ids"], result["sequences"], strict=True):
        inputs = tokenizer(prompt, return_tensors="pt")
        assert input_ids == inputs.input_ids[0].tolist()
        extra = {"past_key_values": cache()} if cache else {}
        assert [sequence] == greedy(model, **inputs, **extra)


@pytest.mark.parametrize("name", GPT2)
def test_gpt2_left_padded_batch_generates_pytorch_tokens(exported, transformersjs, name):
    export = exported(name)
    result = transformersjs(export.folder, "causal-lm-with-past", GENERATE | {"batch": True, "padding_side": "left"})
    tokenizer = AutoTokenizer.from_pretrained(export.folder, padding_side="left")
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    assert inputs.attention_mask[1, 0] == 0, "the second prompt should be left-padded"
    assert result["input_ids"] == inputs.input_ids.tolist()
    assert result["attention_mask"] == inputs.attention_mask.tolist()
    model = AutoModelForCausalLM.from_pretrained(export.checkpoint).eval()
    assert result["sequences"] == greedy(model, **inputs)


@pytest.mark.parametrize("name", T5)
def test_t5_padded_batch_generates_pytorch_tokens(exported, transformersjs, name):
    export = exported(name)
    result = transformersjs(export.folder, "seq2seq-lm-with-past", GENERATE | {"batch": True})
    inputs = AutoTokenizer.from_pretrained(export.folder)(PROMPTS, padding=True, return_tensors="pt")
    assert inputs.attention_mask[1, -1] == 0, "the second prompt should be padded"
    assert result["input_ids"] == inputs.input_ids.tolist()
    assert result["attention_mask"] == inputs.attention_mask.tolist()
    model = AutoModelForSeq2SeqLM.from_pretrained(export.checkpoint).eval()
    assert result["sequences"] == greedy(model, **inputs, past_key_values=empty_t5_cache())


@pytest.mark.parametrize("name", WHISPER)
def test_whisper_generates_pytorch_tokens(exported, transformersjs, waveform, name):
    export = exported(name)
    result = transformersjs(
        export.folder, "speech2seq-lm-with-past", {"audio": waveform.tolist(), "max_new_tokens": MAX_NEW_TOKENS}
    )
    inputs = AutoProcessor.from_pretrained(export.folder)(waveform, sampling_rate=16000, return_tensors="pt")
    torch.testing.assert_close(torch.tensor(result["input_features"]), inputs.input_features, atol=1e-4, rtol=0)
    model = AutoModelForSpeechSeq2Seq.from_pretrained(export.checkpoint).eval()
    (expected,) = greedy(model, **inputs)  # Whisper's generate() returns the new tokens only
    (sequence,) = result["sequences"]
    assert sequence[0] == model.generation_config.decoder_start_token_id
    assert sequence[1:] == expected
