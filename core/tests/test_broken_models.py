"""Checkpoints that are themselves broken (their config does not fit the inputs, NaN weights...) get one honest
line or result, never a hint at the exporter nor a pass on nothing compared."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from onnxcore.cli import main


def _tiny_bert(directory: Path, **overrides: object) -> Path:
    """A tiny BERT checkpoint with a WordPiece tokenizer and ``overrides`` in its config."""
    from transformers import BertConfig, BertModel

    from onnxcore.testing.checkpoints import save_random_model, save_wordpiece_tokenizer

    tokenizer = save_wordpiece_tokenizer(directory)
    sizes = {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 20}
    save_random_model(directory, BertModel, BertConfig(**({"vocab_size": len(tokenizer)} | sizes | overrides)))
    return directory


def _export(*args: str) -> tuple[int, str, str]:
    """Run ``onnxcore export ARGS`` in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["export", *args], out, err)
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue(), err.getvalue()


def _error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


FORWARD_FAILS = (
    r"error: the model's own forward fails on the {inputs} inputs \(input_ids {shape}, .*\): {error}.*; the checkpoint"
    r" cannot run inputs like these \(check its config.json, such as the vocabulary size and maximum positions,"
    r" against its tokenizer\)\.$"
)


@pytest.mark.parametrize("exporter", ["torchscript", "dynamo"])
@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"vocab_size": 1}, r"IndexError: index out of range in self"),
        ({"max_position_embeddings": 4}, r"RuntimeError: The size of tensor a \(8\) must match the size of tensor b"),
    ],
)
def test_a_model_whose_forward_fails_on_the_example_inputs_says_so(
    text_plugin, tmp_path: Path, exporter: str, overrides: dict, error: str
) -> None:
    model = _tiny_bert(tmp_path / "model", **overrides)
    code, _, err = _export("-m", str(model), "--exporter", exporter, str(tmp_path / "out"))
    line = _error_line(err)
    assert code == 1
    assert re.match(FORWARD_FAILS.format(inputs="example", shape="2x8", error=error), line), line
    assert "--exporter" not in line and not (tmp_path / "out").exists()


def test_a_model_whose_forward_fails_on_the_validation_inputs_says_so(text_plugin, tmp_path: Path) -> None:
    model = _tiny_bert(tmp_path / "model", max_position_embeddings=8)  # the export's 8 tokens fit, validation's 9 not
    code, _, err = _export("-m", str(model), str(tmp_path / "out"))
    line = _error_line(err)
    expected = FORWARD_FAILS.format(inputs="validation", shape="3x9", error=r"RuntimeError: The size of tensor a \(9\)")
    assert code == 1 and re.match(expected, line), line
    assert not (tmp_path / "out").exists()


def test_a_model_whose_outputs_are_all_nan_fails_validation(text_plugin, tmp_path: Path) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    model = _tiny_bert(tmp_path / "model")
    weights = model / "model.safetensors"
    nan = {name: torch.full_like(value, float("nan")) for name, value in load_file(weights).items()}
    save_file(nan, weights, metadata={"format": "pt"})
    code, _, err = _export("-m", str(model), str(tmp_path / "out"))
    assert code == 1 and not (tmp_path / "out").exists()
    assert _error_line(err) == (
        "error: validation failed for last_hidden_state: the PyTorch model's values are all NaN or infinite, so"
        " nothing finite was compared (check the checkpoint's weights)"
    )
    assert re.search(r"^last_hidden_state +\(3, 9, 16\) +- +1e-05 +FAILED: nothing finite compared$", err, re.M), err


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_weights_are_exported_as_float32_with_a_warning(text_plugin, tmp_path: Path, dtype: str) -> None:
    import json

    import torch
    from transformers import BertModel

    model = _tiny_bert(tmp_path / "model")
    BertModel.from_pretrained(model).to(getattr(torch, dtype)).save_pretrained(model)
    assert json.loads((model / "config.json").read_text())["dtype"] == dtype
    code, _, err = _export("-m", str(model), str(tmp_path / "out"))
    assert code == 0, err
    flag = {"float16": "fp16", "bfloat16": "bf16"}[dtype]
    assert (
        f"warning: {model} has {dtype} weights; they are loaded and exported as float32 (the saved config.json"
        f" says float32, onnxcore.json records both); --dtype {flag} exports them as they are." in err.splitlines()
    ), err
    manifest = json.loads((tmp_path / "out" / "onnxcore.json").read_text())
    assert manifest["dtype"] == {"checkpoint": dtype, "export": "float32"}
    assert json.loads((tmp_path / "out" / "config.json").read_text())["dtype"] == "float32"
    # asked for, the checkpoint's own dtype: no warning, and the graph's weights are at it
    code, _, err = _export("-m", str(model), "--dtype", flag, str(tmp_path / "own"))
    assert code == 0, err
    assert "loaded and exported as" not in err
    assert json.loads((tmp_path / "own" / "onnxcore.json").read_text())["dtype"] == {
        "checkpoint": dtype,
        "export": dtype,
    }
