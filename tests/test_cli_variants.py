"""``--optimize`` and ``--quantize``: every variant of the five families' examples written under transformers.js's
names, validated against the framework model with its metrics in onnxcore.json, and re-checked by ``validate``."""

from __future__ import annotations

import json
from pathlib import Path

import onnx
import pytest
from conftest import TINY_BERT, TINY_GPT2, TINY_T5, TINY_VIT, TINY_WHISPER, onnx_graphs, run_cli
from onnx import numpy_helper

FAMILIES = {
    "bert": (TINY_BERT, ["--feature", "default"], ["model"]),
    "gpt2": (TINY_GPT2, ["--feature", "causal-lm-with-past"], ["model"]),
    "vit": (TINY_VIT, ["--feature", "image-classification"], ["model"]),
    "t5": (
        TINY_T5,
        ["--feature", "seq2seq-lm-with-past", "--layout", "split"],
        ["encoder_model", "decoder_model_merged"],
    ),
    "whisper": (
        TINY_WHISPER,
        ["--feature", "speech2seq-lm-with-past", "--layout", "split"],
        ["encoder_model", "decoder_model_merged"],
    ),
}
SUFFIXES = {"fp16": "_fp16", "q8": "_quantized", "q4": "_q4"}


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "onnxcore.json").read_text())


def _ops(path: Path) -> set[str]:
    return {node.op_type for graph in onnx_graphs(path) for node in graph.node}


def _int8_range(path: Path) -> tuple[int, int]:
    """The smallest and largest value of the file's int8 weights."""
    weights = [
        numpy_helper.to_array(tensor)
        for graph in onnx_graphs(path)
        for tensor in graph.initializer
        if tensor.data_type == onnx.TensorProto.INT8
    ]
    return min(int(weight.min()) for weight in weights), max(int(weight.max()) for weight in weights)


@pytest.mark.parametrize("family", FAMILIES)
def test_optimized_export_writes_validated_variants(family: str, tmp_path: Path) -> None:
    checkpoint, arguments, stems = FAMILIES[family]
    out = tmp_path / family
    run = run_cli("export", "-m", str(checkpoint), *arguments, "--optimize", "O2", "--quantize", "fp16,q8,q4", str(out))
    assert run.code == 0, run.err
    manifest = _manifest(out)
    assert manifest["optimization"]["level"] == "O2"
    assert all(entry["level"] == "O2" and entry["fused"] for entry in manifest["optimization"]["files"].values())
    assert set(manifest["variants"]) == set(SUFFIXES)
    for mode, suffix in SUFFIXES.items():
        report = manifest["variants"][mode]
        assert report["ok"] and report["files"] == sorted(f"{stem}{suffix}.onnx" for stem in stems)
        for outputs in report["checks"].values():
            for metrics in outputs.values():
                assert metrics["cosine"] >= report["thresholds"]["cosine"]
                assert metrics["scaled_diff"] <= report["thresholds"]["scaled_diff"]
        for name in report["files"]:
            assert manifest["files"][name]["sha256"] and manifest["files"][name]["inputs"]
        if family in ("gpt2", "t5", "whisper"):  # generating models: greedy tokens and where they leave generate()'s
            generation = report["generation"]
            assert len(generation["tokens"]) == len(generation["first_divergence"]) == 2
    assert "MatMulNBits" in _ops(out / f"{stems[-1]}_q4.onnx")
    assert {"DynamicQuantizeLinear", "MatMulInteger"} & _ops(out / f"{stems[-1]}_quantized.onnx")
    # 7-bit: uint8 x int8 products cannot saturate vpmaddubsw's int16 sums on x86 CPUs without VNNI
    low, high = _int8_range(out / f"{stems[-1]}_quantized.onnx")
    assert -64 <= low and high <= 64
    fp32 = sum(manifest["files"][f"{stem}.onnx"]["bytes"] for stem in stems)
    # smaller, though the tiny examples' graphs weigh as much as their weights (benchmarks/ measures real sizes)
    assert sum(manifest["files"][f"{stem}_fp16.onnx"]["bytes"] for stem in stems) < fp32
    recheck = run_cli("validate", str(out), "--json")
    assert recheck.code == 0, recheck.err
    assert set(recheck.strict_json()["variants"]) == set(SUFFIXES)


def test_every_other_mode_and_level(tmp_path: Path) -> None:
    out = tmp_path / "gpt2"
    run = run_cli(
        "export", "-m", str(TINY_GPT2), "--feature", "causal-lm-with-past", "--optimize", "O3",
        "--quantize", "int8,uint8,q4f16", str(out),
    )  # fmt: skip
    assert run.code == 0, run.err
    manifest = _manifest(out)
    assert {"model_int8.onnx", "model_uint8.onnx", "model_q4f16.onnx"} <= set(manifest["files"])
    assert "FastGelu" in manifest["optimization"]["files"]["model.onnx"]["fused"]  # O3: the GELU approximation
    assert manifest["validation"]["model.onnx"]["atol"] == pytest.approx(1e-2)
    weights = {
        tensor.data_type
        for tensor in onnx.load(str(out / "model_q4f16.onnx")).graph.initializer
        if tensor.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16)
    }
    assert weights == {onnx.TensorProto.FLOAT16}
    basic = run_cli("export", "-m", str(TINY_BERT), "--optimize", "O1", str(tmp_path / "bert"))
    assert basic.code == 0, basic.err
    assert _manifest(tmp_path / "bert")["optimization"]["files"]["model.onnx"] == {
        "level": "O1", "model_type": "bert", "fused": {}
    }  # fmt: skip


def test_a_variant_below_its_threshold_fails_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_cli("export", "-m", str(TINY_BERT), "--quantize", "fp16,q8:scaled_diff=0", str(out))
    assert run.code == 1
    assert "the q8 variant misses its thresholds" in run.error_line and "scaled max |diff|" in run.error_line
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--quantize", "q9"], "--quantize 'q9' is not a mode"),
        (["--quantize", "q8:cos=0.9"], "'cos' is not a threshold"),
        (["--quantize", "q8:cosine=high"], "cosine needs a number"),
        (["--quantize", "q8:cosine=nan"], "cosine needs a number"),
        (["--quantize", "q8:cosine=2"], "cosine is between -1 and 1, not 2."),
        (["--quantize", "q4:top1=1.5"], "top1 is between 0 and 1, not 1.5."),
        (["--quantize", "q8:scaled_diff=-1"], "scaled_diff is at least 0, not -1."),
        (["--quantize", "q8,fp16,q8"], "--quantize names q8 twice"),
        (["--quantize", "q8:cosine=0.9:cosine=0.5"], "sets cosine twice"),
        (["--quantize", "q8", "--external-data"], "fit in one .onnx file"),
        (["--optimize", "O2", "--external-data"], "fit in one .onnx file"),
    ],
)
def test_bad_quantize_values_are_one_line(flags: list[str], message: str, tmp_path: Path) -> None:
    run = run_cli("export", "-m", str(TINY_BERT), *flags, str(tmp_path / "out"))
    assert run.code == 2 and message in run.error_line
    assert not (tmp_path / "out").exists()


def test_a_plugin_without_optimizer_information_gets_o1(installed_test_plugins, tiny_mpnet, tmp_path) -> None:
    env = {"PYTHONPATH": str(installed_test_plugins), "ONNXCORE_DISABLE_PLUGINS": "broken"}
    out = tmp_path / "o"
    run = run_cli("export", "-m", str(tiny_mpnet), "--optimize", "O2", "--quantize", "q8", str(out), env=env)
    assert run.code == 0, run.err
    assert "MPNetOnnxConfig names no ONNX Runtime optimizer model type" in run.err
    manifest = _manifest(out)
    assert manifest["optimization"]["files"]["model.onnx"]["level"] == "O1"
    assert manifest["variants"]["q8"]["ok"]


def test_validate_refuses_a_changed_variant(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("export", "-m", str(TINY_BERT), "--quantize", "q8", str(out)).code == 0
    variant = out / "model_quantized.onnx"
    variant.write_bytes(variant.read_bytes()[:-1] + b"\0")
    run = run_cli("validate", str(out))
    assert run.code == 1 and "changed model_quantized.onnx" in run.error_line


def test_optimize_takes_a_t5_whose_d_model_is_not_heads_times_d_kv(tmp_path: Path) -> None:
    """3 heads of d_kv 7 on d_model 20: ONNX Runtime's optimizer asserts hidden % heads == 0 when given both."""
    import shutil

    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    checkpoint = tmp_path / "t5-3heads"
    config = T5Config.from_pretrained(TINY_T5)
    config.update({"d_model": 20, "d_kv": 7, "d_ff": 29, "num_heads": 3})
    torch.manual_seed(0)
    T5ForConditionalGeneration(config).save_pretrained(checkpoint)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        shutil.copy(TINY_T5 / name, checkpoint / name)
    out = tmp_path / "out"
    arguments = ["--feature", "seq2seq-lm-with-past", "--layout", "split", "--optimize", "O2", "--quantize", "q8"]
    run = run_cli("export", "-m", str(checkpoint), *arguments, str(out))
    assert run.code == 0, run.err
    assert _manifest(out)["optimization"]["files"]["encoder_model.onnx"]["level"] == "O2"
