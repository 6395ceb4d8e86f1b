"""GPT-2 checkpoints that cannot make the export asked for get one clear line, run in-process."""

from __future__ import annotations

import io
import re
from pathlib import Path

from onnxcore.cli import main


def _tiny_gpt2(directory: Path, **overrides: object) -> Path:
    """A tiny GPT-2 checkpoint with a byte-level BPE tokenizer and ``overrides`` in its config."""
    from transformers import GPT2Config, GPT2LMHeadModel

    from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer, save_random_model

    tokenizer = save_byte_level_bpe_tokenizer(directory)
    sizes = {"n_embd": 16, "n_layer": 1, "n_head": 2, "n_positions": 64, "bos_token_id": 0, "eos_token_id": 0}
    save_random_model(directory, GPT2LMHeadModel, GPT2Config(**({"vocab_size": len(tokenizer)} | sizes | overrides)))
    return directory


def _export_error(*args: str) -> tuple[int, str]:
    """Run ``onnxcore export ARGS`` in-process: (exit code, its one error line)."""
    err = io.StringIO()
    code = main(["export", *args], io.StringIO(), err)
    lines = [line for line in err.getvalue().splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err.getvalue(), err.getvalue()
    return code, lines[0]


def test_gpt2_with_fewer_positions_than_the_example_inputs_fails_in_its_own_forward(tmp_path: Path) -> None:
    model = _tiny_gpt2(tmp_path / "model", n_positions=4)
    code, line = _export_error("-m", str(model), "--feature", "causal-lm-with-past", str(tmp_path / "out"))
    assert code == 1, line
    assert re.match(
        r"error: the model's own forward fails on the example inputs \(input_ids 2x8, past_key_values\.0\.key"
        r" 2x2x\d+x8, .*\): IndexError: index out of range in self; the checkpoint cannot run inputs like these",
        line,
    ), line
    assert "--exporter" not in line and not (tmp_path / "out").exists()


def test_gpt2_without_layers_cannot_export_with_past(tmp_path: Path) -> None:
    model = _tiny_gpt2(tmp_path / "model", n_layer=0)
    code, line = _export_error("-m", str(model), "--feature", "causal-lm-with-past", str(tmp_path / "out"))
    assert (code, line) == (
        2,
        "error: a causal-lm-with-past export needs at least one layer to carry past key values, but the checkpoint's"
        " config.json has n_layer 0; export causal-lm (without past), or a checkpoint with layers.",
    )
    assert not (tmp_path / "out").exists()
