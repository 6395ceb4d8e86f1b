"""``--dtype fp16`` for Optimum: its ORTModel classes load the fp16 folder as-is (float16 past included) and generate
the tokens of the PyTorch model at fp16 on a padded batch, for the example and a kit checkpoint of other sizes."""

from __future__ import annotations

import pytest
import torch
from optimum.onnxruntime import ORTModelForCausalLM
from reference import GPT2, PROMPTS, greedy
from transformers import AutoModelForCausalLM, AutoTokenizer


@pytest.mark.parametrize("name", GPT2)
def test_gpt2_fp16_generates_the_fp16_model_tokens(exported, export_with, tmp_path, name):
    checkpoint = exported(name).checkpoint
    folder = export_with(checkpoint, "causal-lm-with-past", tmp_path / name, "--dtype", "fp16")
    tokenizer = AutoTokenizer.from_pretrained(folder, padding_side="left")
    inputs = tokenizer(PROMPTS, padding=True, return_tensors="pt")
    model = ORTModelForCausalLM.from_pretrained(folder, use_cache=True)
    reference = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float16).eval()
    assert greedy(model, **inputs) == greedy(reference, **inputs)
