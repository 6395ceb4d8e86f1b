"""Every feature of the five families that transformers 4.57 has a TensorFlow class for exports from the CLI with
``--framework tf`` (weights converted from the PyTorch example on load), validates against the TF model, and
has the PyTorch export's contract: the config's input and output names, in order, and its axis names."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest
from conftest import EXAMPLES, run_cli
from transformers import AutoConfig

from onnxcore import FeaturesManager
from onnxcore.seq2seq import layout_configs

# (example, feature, layout) exported from TensorFlow: every registered feature with a TF class
TF_FEATURES = [
    *(
        ("tiny-bert", feature, "single")
        for feature in (
            "default",
            "masked-lm",
            "causal-lm",
            "sequence-classification",
            "multiple-choice",
            "token-classification",
            "question-answering",
        )
    ),
    *(
        ("tiny-gpt2", feature, "single")
        for feature in ("default", "default-with-past", "causal-lm", "causal-lm-with-past", "sequence-classification")
    ),
    *(
        ("tiny-t5", feature, layout)
        for feature in ("default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past")
        for layout in ("single", "split")
    ),
    *(("tiny-vit", feature, "single") for feature in ("default", "image-classification")),
    *(
        ("tiny-whisper", feature, layout)
        for feature in ("default", "default-with-past", "speech2seq-lm", "speech2seq-lm-with-past")
        for layout in ("single", "split")
    ),
]
# registered features transformers has no TF class for: refused before loading, with the fix
NO_TF_CLASS = [("tiny-gpt2", "token-classification"), ("tiny-vit", "masked-im")]


def test_the_lists_cover_every_registered_feature() -> None:
    for example, model_type in (
        ("tiny-bert", "bert"),
        ("tiny-gpt2", "gpt2"),
        ("tiny-t5", "t5"),
        ("tiny-vit", "vit"),
        ("tiny-whisper", "whisper"),
    ):
        listed = {feature for name, feature, _ in TF_FEATURES if name == example}
        listed |= {feature for name, feature in NO_TF_CLASS if name == example}
        assert listed == set(FeaturesManager.get_supported_features_for_model_type(model_type))


def _graph_contract(path: Path) -> tuple[list[tuple[str, list[str | int]]], list[tuple[str, list[str | int]]]]:
    graph = onnx.load(str(path), load_external_data=False).graph

    def dims(value: onnx.ValueInfoProto) -> list[str | int]:
        return [dim.dim_param or dim.dim_value for dim in value.type.tensor_type.shape.dim]

    return [(value.name, dims(value)) for value in graph.input], [(value.name, dims(value)) for value in graph.output]


@pytest.mark.parametrize(("example", "feature", "layout"), TF_FEATURES, ids=lambda value: str(value))
def test_tf_export_validates_with_the_config_contract(tmp_path: Path, example: str, feature: str, layout: str) -> None:
    output = tmp_path / "out"
    run = run_cli(
        "export", "-m", EXAMPLES / example, "--framework", "tf", "--feature", feature, "--layout", layout, output
    )
    assert run.code == 0, run.err
    assert run.manifest["framework"] == "tf" and run.manifest["exporter"] == "tf2onnx"
    assert all(report["ok"] for report in run.manifest["validation"].values())
    model_config = AutoConfig.from_pretrained(EXAMPLES / example)
    onnx_config = FeaturesManager.get_config(run.manifest["model_type"], feature)(model_config)
    for file_name, part in layout_configs(layout, onnx_config).items():
        inputs, outputs = _graph_contract(output / file_name)
        assert [name for name, _ in inputs] == list(part.inputs)
        assert [name for name, _ in outputs] == list(part.outputs)
        for name, dims in inputs + outputs:
            axes = {**part.inputs, **part.outputs}[name]
            assert {axis: dims[axis] for axis in axes} == dict(axes), name
            assert not any(str(dim).startswith("unk__") for dim in dims), (name, dims)


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
