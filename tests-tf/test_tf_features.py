"""The TensorFlow path from the CLI, on the shipped examples (PyTorch weights converted on load): refusals, opsets,
the exporter choice and the generation check. Every feature's TF export itself is checked by each plugin's
conformance suite (``test_tensorflow_export``), which the tox env ``tf`` runs for every plugin."""

from __future__ import annotations

import json
import math
import shutil
import struct
from pathlib import Path

import onnx
import pytest
from conftest import EXAMPLES, run_cli

# registered features transformers has no TF class for: refused before loading, with the fix
NO_TF_CLASS = [("tiny-gpt2", "token-classification"), ("tiny-vit", "masked-im")]


@pytest.mark.parametrize(("example", "feature"), NO_TF_CLASS)
def test_feature_without_a_tf_class_is_refused_with_the_fix(tmp_path: Path, example: str, feature: str) -> None:
    run = run_cli("export", "-m", EXAMPLES / example, "--framework", "tf", "--feature", feature, tmp_path / "out")
    assert run.code == 2
    assert "has no TensorFlow" in run.error_line and "--framework pt" in run.error_line
    assert not (tmp_path / "out").exists()


def test_opset_above_tf2onnx_range_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("export", "-m", EXAMPLES / "tiny-bert", "--framework", "tf", "--opset", "19", tmp_path / "out")
    assert run.code == 2
    assert "tf2onnx exporter writes opsets 14 to 18, not 19; use --opset 18" in run.error_line


def test_opset_is_honoured(tmp_path: Path) -> None:
    run = run_cli("export", "-m", EXAMPLES / "tiny-bert", "--framework", "tf", "--opset", "17", tmp_path / "out")
    assert run.code == 0, run.err
    model = onnx.load(str(tmp_path / "out" / "model.onnx"))
    assert [entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")] == [17]


def test_pytorch_exporter_on_tf_weights_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("export", "-m", EXAMPLES / "tiny-bert", "--framework", "tf", "--exporter", "dynamo", tmp_path / "out")
    assert run.code == 2
    assert "--exporter dynamo does not export TensorFlow models; use --exporter tf2onnx" in run.error_line


def test_check_generation_reruns_on_a_tf_export_against_the_tf_model(tmp_path: Path) -> None:
    output = tmp_path / "out"
    example = EXAMPLES / "tiny-gpt2"
    export = run_cli("export", "-m", example, "--framework", "tf", "--feature", "causal-lm-with-past", output)
    assert export.code == 0, export.err
    run = run_cli("check-generation", "-m", example, "--prompt", "hello world", "--max-new-tokens", "8", output)
    assert run.code == 0, run.err
    assert "8 new tokens identical" in run.out


def test_pytorch_only_options_are_refused_for_tf(tmp_path: Path) -> None:
    run = run_cli("export", "-m", EXAMPLES / "tiny-bert", "--framework", "tf", "--external-data", tmp_path / "out")
    assert run.code == 2
    assert "--external-data and --device apply to PyTorch exports" in run.error_line


def test_a_random_tf_task_head_is_recorded_and_drawn_again(tmp_path: Path) -> None:
    """A TF model loaded from PyTorch weights reports the weights it drew at random, and draws them again alike."""
    output = tmp_path / "out"
    run = run_cli(
        "export", "-m", EXAMPLES / "tiny-bert", "--framework", "tf", "--feature", "sequence-classification", output
    )
    assert run.code == 0, run.err
    assert run.manifest["newly_initialized"] == ["classifier.bias", "classifier.weight"]
    assert "has no weights for classifier.bias, classifier.weight" in run.err
    again = run_cli("validate", output)
    assert again.code == 0 and "still matches" in again.out, again.err


def test_dtype_is_refused_for_tf(tmp_path: Path) -> None:
    run = run_cli("export", "-m", EXAMPLES / "tiny-bert", "--framework", "tf", "--dtype", "fp16", tmp_path / "out")
    assert run.code == 2
    assert run.error_line == (
        "error: --dtype fp16 applies to PyTorch exports; TensorFlow exports are fp32 (drop --dtype, or add"
        " --quantize fp16 for an fp16 variant)."
    )
    assert not (tmp_path / "out").exists()


def _sparse_safetensors(path: Path, shapes: dict[str, list[int]]) -> None:
    """A float32 safetensors file declaring ``shapes``, its data a hole (zeros that take no disk)."""
    offset, header = 0, {}
    for name, shape in shapes.items():
        length = 4 * math.prod(shape)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + length]}
        offset += length
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(encoded)) + encoded)
        out.truncate(8 + len(encoded) + offset)


def test_weights_beyond_one_protobuf_are_refused_before_the_model_loads(tmp_path: Path) -> None:
    checkpoint = tmp_path / "big-gpt2"
    shutil.copytree(EXAMPLES / "tiny-gpt2", checkpoint, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    _sparse_safetensors(checkpoint / "model.safetensors", {"transformer.wte.weight": [50_000, 12_000]})
    run = run_cli("export", "-m", checkpoint, "--framework", "tf", tmp_path / "out")
    assert run.code == 2
    assert run.error_line == (
        f"error: {checkpoint} has 2.40 GB of weights, and tf2onnx writes a graph and its weights as one protobuf,"
        " which holds at most 2.15 GB; export it from the PyTorch weights (--framework pt), which keeps them in"
        " external data."
    )
    assert "Loading" not in run.err  # refused from the safetensors header, before any weight is read
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("example", "feature"), [("tiny-bert", "default"), ("tiny-gpt2", "causal-lm"), ("tiny-t5", "seq2seq-lm")]
)
def test_the_size_read_from_the_files_is_what_tensorflow_loads(example: str, feature: str) -> None:
    from onnxcore.loading import checkpoint_weight_bytes, load_for_feature

    model = load_for_feature(feature, str(EXAMPLES / example), framework="tf")
    loaded = sum(math.prod(weight.shape) * weight.dtype.size for weight in model.weights)
    assert checkpoint_weight_bytes(str(EXAMPLES / example)) == pytest.approx(loaded, rel=0.05)
