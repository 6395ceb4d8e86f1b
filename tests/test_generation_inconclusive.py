"""A generation check that compared at most one new token (the model emits eos at once) proves nothing about
decoding with past: it is recorded as inconclusive, with a warning, and the conformance kit fails on it."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from onnxcore.cli import main
from onnxcore.generation import INCONCLUSIVE
from onnxcore.pipeline import ExportRequest, run_export
from onnxcore.testing.conformance import ConformanceSuite

FEATURE = "causal-lm-with-past"


def _eos_at_once_config():  # transformers is imported inside functions: collecting stays light
    from transformers import GPT2Config

    return GPT2Config(vocab_size=300, n_embd=16, n_layer=1, n_head=2, n_positions=64, bos_token_id=0, eos_token_id=0)


@pytest.fixture(scope="module")
def eos_at_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny GPT-2 whose greedy next token is always eos (id 0): the final layer norm outputs a large copy of
    eos's (tied) embedding whatever the input."""
    import torch
    from transformers import GPT2LMHeadModel

    from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer

    directory = tmp_path_factory.mktemp("eos-at-once")
    save_byte_level_bpe_tokenizer(directory, vocab_size=300)
    torch.manual_seed(0)
    model = GPT2LMHeadModel(_eos_at_once_config()).eval()
    with torch.no_grad():
        model.transformer.wte.weight[0] *= 10
        model.transformer.ln_f.weight.zero_()
        model.transformer.ln_f.bias.copy_(10 * model.transformer.wte.weight[0])
    model.save_pretrained(directory)
    return directory


def test_an_eos_at_once_generation_check_is_inconclusive(eos_at_once: Path, tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", "-m", str(eos_at_once), "--feature", FEATURE, str(tmp_path / "out")], out, err)
    assert code == 0, err.getvalue()
    assert f"warning: the generation check is {INCONCLUSIVE}" in err.getvalue().splitlines()
    lines = out.getvalue().splitlines()
    assert lines[lines.index("Greedy generation inconclusive:") + 1 :][:3] == [
        "input 0 (length 42): 1 new tokens identical",
        "input 1 (length 4): 1 new tokens identical",
        INCONCLUSIVE,
    ], out.getvalue()
    generation = json.loads((tmp_path / "out" / "onnxcore.json").read_text())["generation"]
    assert (generation["ok"], generation["status"]) == (True, "inconclusive")


class _EosAtOnceSuite(ConformanceSuite):
    model_type = "gpt2"
    distribution = "onnxcore-gpt2"

    def tiny_config(self):
        return _eos_at_once_config()


def test_the_conformance_kit_fails_an_inconclusive_generation_check(eos_at_once: Path, tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="inconclusive"):
        result = run_export(ExportRequest(model=str(eos_at_once), output=tmp_path / "out", feature=FEATURE))
    with pytest.raises(AssertionError, match=r"the generation check is inconclusive \(no prompt got 2 new tokens\)"):
        _EosAtOnceSuite().check_export(result, FEATURE, "single")
