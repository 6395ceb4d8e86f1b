"""``--quantize`` variants in transformers.js, picked with its ``dtype`` option: it loads each under the name it
expects and computes what ONNX Runtime computes on the same file (the file onnxcore validated against PyTorch)."""

from __future__ import annotations

import numpy as np
import onnxruntime
import pytest
from reference import MAX_NEW_TOKENS, PROMPTS, TEXTS
from transformers import AutoTokenizer

from onnxcore.generation import greedy_generate

SUFFIXES = {"fp16": "_fp16", "q8": "_quantized", "q4": "_q4"}


@pytest.fixture(scope="module")
def variants(exported, export_with, tmp_path_factory):
    """The BERT (masked-lm) and GPT-2 examples exported for transformers.js with fp16, q8 and q4 variants."""
    folders = {}
    for name, feature in (("bert", "masked-lm"), ("gpt2", "causal-lm-with-past")):
        out = tmp_path_factory.mktemp(f"{name}-variants") / name
        checkpoint = exported(name).checkpoint
        folders[name] = export_with(checkpoint, feature, out, "--quantize", "fp16,q8,q4")
    return folders


def _session(path):
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("dtype", SUFFIXES)
def test_bert_variant_logits(variants, transformersjs, dtype):
    folder = variants["bert"]
    result = transformersjs(folder, "masked-lm", {"texts": TEXTS}, dtype)
    session = _session(folder / "onnx" / f"model{SUFFIXES[dtype]}.onnx")
    encoded = AutoTokenizer.from_pretrained(folder)(TEXTS, padding=True, return_tensors="np")
    assert result["input_ids"] == encoded["input_ids"].tolist()
    feeds = {value.name: encoded[value.name].astype(np.int64) for value in session.get_inputs()}
    (expected,) = session.run(["logits"], feeds)
    # onnxruntime-node's float16 kernels round otherwise than this onnxruntime's: 1e-3 of the scale, not 1e-5
    tolerance = (5e-3 if dtype == "fp16" else 1e-4) * max(1.0, np.abs(expected).max())
    np.testing.assert_allclose(np.array(result["logits"]), expected, atol=tolerance, rtol=0)


@pytest.mark.parametrize("dtype", SUFFIXES)
def test_gpt2_variant_greedy_tokens(variants, transformersjs, dtype):
    folder = variants["gpt2"]
    result = transformersjs(
        folder, "causal-lm-with-past", {"prompts": PROMPTS, "max_new_tokens": MAX_NEW_TOKENS}, dtype
    )
    session = _session(folder / "onnx" / f"model{SUFFIXES[dtype]}.onnx")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    for prompt, input_ids, sequence in zip(PROMPTS, result["input_ids"], result["sequences"]):
        ids = np.array([tokenizer(prompt)["input_ids"]], dtype=np.int64)
        assert ids[0].tolist() == input_ids
        new = greedy_generate(session, ids, np.ones_like(ids), MAX_NEW_TOKENS, [tokenizer.eos_token_id], 0)
        assert sequence[len(input_ids) :][: new.shape[1]] == new[0].tolist()
