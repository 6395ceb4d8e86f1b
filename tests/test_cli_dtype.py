"""``--dtype fp16|bf16``: the model loaded, traced and validated at that precision; where ONNX Runtime's CPU provider
has no kernel at the dtype (bf16), the file is reported as not run, never as passed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import onnx
import pytest
from conftest import TINY_BERT, TINY_GPT2, TINY_VIT, TINY_WHISPER, run_cli

FAMILIES = {
    "bert": (TINY_BERT, ["--feature", "default"], {"model.onnx": ()}),
    "gpt2": (TINY_GPT2, ["--feature", "causal-lm-with-past"], {"model.onnx": ("past_key_values.0.key",)}),
    "vit": (TINY_VIT, ["--feature", "image-classification"], {"model.onnx": ("pixel_values",)}),
    "whisper": (
        TINY_WHISPER,
        ["--feature", "speech2seq-lm-with-past", "--layout", "split"],
        {"encoder_model.onnx": ("input_features",), "decoder_model_merged.onnx": ("encoder_hidden_states",)},
    ),
}
FLOAT16, BFLOAT16 = onnx.TensorProto.FLOAT16, onnx.TensorProto.BFLOAT16


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "onnxcore.json").read_text())


def _weight_types(path: Path) -> set[int]:
    """The element types of the graph's float weights of more than one value."""
    model = onnx.load(str(path), load_external_data=False)
    floats = (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE, FLOAT16, BFLOAT16)
    return {tensor.data_type for tensor in model.graph.initializer if len(tensor.dims) > 1} & set(floats)


def _input_types(path: Path) -> dict[str, int]:
    model = onnx.load(str(path), load_external_data=False)
    return {value.name: value.type.tensor_type.elem_type for value in model.graph.input}


@pytest.mark.parametrize("family", FAMILIES)
def test_fp16_export_is_traced_and_validated_at_fp16(family: str, tmp_path: Path) -> None:
    checkpoint, arguments, files = FAMILIES[family]
    out = tmp_path / family
    run = run_cli("export", "-m", str(checkpoint), *arguments, "--dtype", "fp16", str(out))
    assert run.code == 0, run.err
    assert "loaded and exported as" not in run.err  # asked for: no warning
    manifest = _manifest(out)
    assert manifest["dtype"] == {"checkpoint": "float32", "export": "float16"}
    assert json.loads((out / "config.json").read_text())["dtype"] == "float16"
    assert manifest["validation"] and all(
        entry["ok"] is True and entry["not_run"] is None and entry["atol"] == 0.02 and entry["checks"]
        for entry in manifest["validation"].values()
    )
    for name, float_inputs in files.items():
        assert _weight_types(out / name) == {FLOAT16}
        types = _input_types(out / name)
        assert all(types[input_name] == FLOAT16 for input_name in float_inputs), types
    if family == "whisper":
        assert manifest["generation"]["status"] in ("identical", "differs")
        again = run_cli("validate", str(out))
        assert again.code == 0, again.err


@pytest.mark.parametrize("family", ["bert", "gpt2", "vit"])
def test_bf16_export_says_its_file_was_not_run(family: str, tmp_path: Path) -> None:
    checkpoint, arguments, files = FAMILIES[family]
    out = tmp_path / "bf16"
    run = run_cli("export", "-m", str(checkpoint), *arguments, "--dtype", "bf16", str(out))
    assert run.code == 0, run.err
    warning = (
        r"warning: model\.onnx was not run in ONNX Runtime: its CPU provider has no bfloat16 kernel for \w+ \(node"
        r" [^)]+\) \(onnx's checker and shape inference pass\), so its outputs are unchecked \(onnxcore\.json says"
        r" so\); run it with a provider that has the kernel, CUDA for one\.$"
    )
    assert re.search(warning, run.err, re.M), run.err
    assert f"Saved in {out}; not validated: model.onnx (see above)" in run.out
    assert "All good" not in run.out
    manifest = _manifest(out)
    entry = manifest["validation"]["model.onnx"]
    assert entry["ok"] is None and entry["checks"] == [] and "no bfloat16 kernel for" in entry["not_run"]
    assert (
        manifest["opset"] == 22 and manifest["exporter"] == "dynamo"
    )  # bfloat16 Conv needs it; TorchScript stops at 20
    assert _weight_types(out / "model.onnx") == {BFLOAT16}
    types = _input_types(out / "model.onnx")
    assert all(types[input_name] == BFLOAT16 for input_name in files["model.onnx"]), types
    if family == "gpt2":
        assert manifest["generation"] is None and "greedy generation was not checked" in run.err
    if family != "bert":
        return
    again = run_cli("validate", str(out))
    assert again.code == 0, again.err
    assert f"{out}'s files are as written; not run in ONNX Runtime: model.onnx (see above)" in again.out
    assert "All good" not in again.out
    summary = json.loads(run_cli("validate", "--json", str(out)).out)
    assert summary["not_run"] == ["model.onnx"] and summary["validation"]["model.onnx"]["ok"] is None


def test_check_generation_of_an_fp16_export_runs_the_model_at_fp16(tmp_path: Path) -> None:
    out = tmp_path / "gpt2"
    assert (
        run_cli("export", "-m", str(TINY_GPT2), "--feature", "causal-lm-with-past", "--dtype", "fp16", str(out)).code
        == 0
    )
    run = run_cli("check-generation", "-m", str(TINY_GPT2), str(out))
    assert run.code == 0, run.err
    assert "20 new tokens identical" in run.out


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (
            ["--dtype", "bf16", "--opset", "18"],
            "error: --dtype bf16 needs --opset 22 or later (ONNX takes bfloat16 in Conv from it); pass --opset 22 or"
            " drop --opset.",
        ),
        (
            ["--dtype", "bf16", "--exporter", "torchscript"],
            "error: --dtype bf16 needs --exporter dynamo: the torchscript exporter writes invalid bfloat16 graphs"
            " (TorchScript writes opset 20 at most, and casts some bfloat16 masks to complex128); drop --exporter"
            " torchscript.",
        ),
        (
            ["--dtype", "bf16", "--optimize", "O1"],
            "error: --optimize runs the graph in ONNX Runtime's CPU provider, which has almost no bfloat16 kernels;"
            " drop --optimize O1, or export with --dtype fp16.",
        ),
        (
            ["--dtype", "fp16", "--runtime", "transformers.js"],
            "error: transformers.js loads a half-precision graph as model_fp16.onnx, beside the fp32 one, and picks it"
            " with its dtype option; drop --dtype fp16 and add --quantize fp16.",
        ),
        (
            ["--dtype", "fp16", "--quantize", "q8"],
            "error: --quantize makes its variants from the fp32 graph, so it cannot follow --dtype fp16; drop --dtype"
            " (--quantize fp16 writes model_fp16.onnx beside the fp32 file).",
        ),
    ],
)
def test_dtype_combinations_that_cannot_work_are_refused(tmp_path: Path, flags: list[str], message: str) -> None:
    run = run_cli("export", "-m", str(TINY_BERT), *flags, str(tmp_path / "out"))
    assert run.code == 2
    assert run.error_line == message
    assert not (tmp_path / "out").exists()


def test_unknown_dtype_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("export", "-m", str(TINY_BERT), "--dtype", "fp8", str(tmp_path / "out"))
    assert run.code == 2
    assert "invalid choice: 'fp8'" in run.err
