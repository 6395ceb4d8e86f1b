"""The pipeline end to end on a tiny BERT: files, contract, external data, opset errors, atomic output."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import onnx
import pytest

from onnxcore.errors import OpsetError, OutputPathError, ValidationError
from onnxcore.pipeline import ExportRequest, run_export


def _hashes(folder):
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


def test_export_writes_declared_contract_and_manifest(text_plugin, tiny_bert, tmp_path) -> None:
    output = tmp_path / "out"
    result = run_export(ExportRequest(model=str(tiny_bert), output=output, feature="text-classification"))
    assert result.feature == "sequence-classification" and result.opset == 11
    model = onnx.load(str(output / "model.onnx"))
    assert [v.name for v in model.graph.input] == ["input_ids", "attention_mask", "token_type_ids"]
    assert [v.name for v in model.graph.output] == ["logits"]
    logits = model.graph.output[0].type.tensor_type.shape.dim
    assert logits[0].dim_param == "batch" and logits[1].dim_value == 2
    manifest = json.loads((output / "onnxcore.json").read_text())
    assert manifest["feature"] == "sequence-classification" and manifest["opset"] == 11
    report = manifest["validation"]["model.onnx"]
    assert manifest["layout"] == "single" and report["ok"] and report["input_shapes"]["input_ids"] == [3, 9]
    assert {"model.onnx", "config.json", "tokenizer.json"} <= set(manifest["files"])
    assert manifest["files"]["model.onnx"]["sha256"] == _hashes(output)["model.onnx"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temporary folder left behind


def test_forced_external_data_writes_one_data_file(text_plugin, tiny_bert, tmp_path) -> None:
    output = tmp_path / "out"
    run_export(ExportRequest(model=str(tiny_bert), output=output, external_data=True))
    assert (output / "model.onnx.data").stat().st_size > (output / "model.onnx").stat().st_size
    locations = {
        entry.value
        for tensor in onnx.load(str(output / "model.onnx"), load_external_data=False).graph.initializer
        for entry in tensor.external_data
        if entry.key == "location"
    }
    assert locations == {"model.onnx.data"}
    run_export(ExportRequest(model=str(tiny_bert), output=output, external_data=False))
    assert not (output / "model.onnx.data").exists()  # the stale data file of the previous export is gone


@pytest.mark.parametrize(
    ("exporter", "opset", "message"),
    [
        ("torchscript", 9, "below the minimum of TinyTextOnnxConfig \\(11\\)"),
        ("dynamo", 14, "dynamo exporter writes opsets 18 to .*--exporter torchscript"),
        ("torchscript", 99, "writes opsets 7 to 20, not 99"),
    ],
)
def test_opset_out_of_range_is_a_usage_error(text_plugin, tiny_bert, tmp_path, exporter, opset, message) -> None:
    with pytest.raises(OpsetError, match=message):
        run_export(ExportRequest(model=str(tiny_bert), output=tmp_path / "out", exporter=exporter, opset=opset))
    assert not (tmp_path / "out").exists()


def test_requested_opset_is_written(text_plugin, tiny_bert, tmp_path) -> None:
    run_export(ExportRequest(model=str(tiny_bert), output=tmp_path / "out", opset=17))
    assert onnx.load(str(tmp_path / "out" / "model.onnx")).opset_import[0].version == 17


def test_output_path_errors(text_plugin, tiny_bert, tmp_path) -> None:
    existing = tmp_path / "file.onnx"
    existing.write_text("keep me")
    with pytest.raises(OutputPathError, match="is an existing file"):
        run_export(ExportRequest(model=str(tiny_bert), output=existing))
    assert existing.read_text() == "keep me"
    with pytest.raises(OutputPathError, match="is a file"):
        run_export(ExportRequest(model=str(tiny_bert), output=existing / "sub"))
    with pytest.raises(OutputPathError, match="not writable"):
        run_export(ExportRequest(model=str(tiny_bert), output=__import__("pathlib").Path("/proc/onnxcore-out")))


def test_failed_validation_keeps_the_earlier_export(text_plugin, tiny_bert, tmp_path) -> None:
    output = tmp_path / "out"
    run_export(ExportRequest(model=str(tiny_bert), output=output))
    before = _hashes(output)
    with pytest.raises(ValidationError, match="last_hidden_state.*FAILED"):
        run_export(ExportRequest(model=str(tiny_bert), output=output, atol=1e-30, opset=14))
    assert _hashes(output) == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_checkpoint_without_preprocessor_uses_config_dummies(text_plugin, tiny_bert, tmp_path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("config.json", "model.safetensors"):
        (bare / name).write_bytes((tiny_bert / name).read_bytes())
    result = run_export(ExportRequest(model=str(bare), output=tmp_path / "out", feature="masked-lm"))
    report = result.validation["model.onnx"]
    assert report.ok and report.input_shapes["input_ids"] == (3, 9)


def test_python_api_exports_a_model_loaded_with_default_attention(tiny_bert, tmp_path) -> None:
    """transformers loads SDPA attention by default; TorchScript cannot write SDPA at BERT's opset 11."""
    from throwaway import TinyTextOnnxConfig
    from transformers import AutoTokenizer, BertModel

    from onnxcore import export, validate_model_outputs

    model = BertModel.from_pretrained(tiny_bert)
    assert model.config._attn_implementation == "sdpa"
    config = TinyTextOnnxConfig(model.config)
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    _, outputs = export(tokenizer, model, config, 11, tmp_path / "model.onnx")
    assert validate_model_outputs(config, tokenizer, model, tmp_path / "model.onnx", outputs, 1e-5).ok
    assert config.values_override == {"use_cache": False} and model.config.use_cache  # the caller's config is kept
    assert onnx.load(str(tmp_path / "model.onnx")).opset_import[0].version == 11


def test_dynamo_loads_eager_attention_for_models_without_sdpa(use_plugins, tmp_path) -> None:
    from throwaway import TinyTextOnnxConfig
    from transformers import XLNetConfig, XLNetModel

    from onnxcore import hookimpl
    from onnxcore.pipeline import load_model
    from onnxcore.plugins import get_registry
    from onnxcore.testing.checkpoints import save_random_model

    class XLNetPlugin:
        __name__ = "test-xlnet-plugin"

        @hookimpl
        def register_onnx_configs(self, register):
            register("xlnet", TinyTextOnnxConfig, ["default"])

    use_plugins(XLNetPlugin())
    save_random_model(tmp_path, XLNetModel, XLNetConfig(vocab_size=50, d_model=16, n_layer=1, n_head=2, d_inner=20))
    request = ExportRequest(model=str(tmp_path), output=tmp_path / "onnx", exporter="dynamo")
    model, _ = load_model(request, get_registry().resolve("xlnet", "default"), "pt")
    assert model.config._attn_implementation == "eager"


def test_several_features_in_one_run(text_plugin, tiny_bert, tmp_path) -> None:
    from onnxcore.pipeline import run_exports

    request = ExportRequest(
        model=str(tiny_bert), output=tmp_path / "out", feature="default, text-classification,default"
    )
    outcomes = run_exports(request)
    assert [outcome.feature for outcome in outcomes] == ["default", "sequence-classification"]
    for outcome in outcomes:
        manifest = json.loads((tmp_path / "out" / outcome.feature / "onnxcore.json").read_text())
        assert outcome.result.validation["model.onnx"].ok and manifest["feature"] == outcome.feature
    everything = run_exports(ExportRequest(model=str(tiny_bert), output=tmp_path / "all", feature="all"))
    assert [outcome.feature for outcome in everything] == ["default", "masked-lm", "sequence-classification"]
    assert all(outcome.error is None for outcome in everything)


def test_a_failed_feature_does_not_stop_the_others(text_plugin, tiny_bert, tmp_path) -> None:
    from onnxcore.pipeline import run_exports

    # at atol 1e-30 every feature fails validation; each failure is reported, none is written
    request = ExportRequest(model=str(tiny_bert), output=tmp_path / "out", feature="default,masked-lm", atol=1e-30)
    outcomes = run_exports(request)
    assert [type(outcome.error) for outcome in outcomes] == [ValidationError, ValidationError]
    assert not any((tmp_path / "out" / outcome.feature).exists() for outcome in outcomes)


def test_a_failed_feature_keeps_no_model_in_memory(text_plugin, tiny_bert, tmp_path, monkeypatch) -> None:
    import gc
    import weakref

    from onnxcore import pipeline

    loaded, load = [], pipeline.load_model

    def watched_load(*args, **kwargs):
        model, fresh = load(*args, **kwargs)
        loaded.append(weakref.ref(model))
        return model, fresh

    monkeypatch.setattr(pipeline, "load_model", watched_load)
    request = ExportRequest(model=str(tiny_bert), output=tmp_path / "out", feature="default,masked-lm", atol=1e-30)
    outcomes = pipeline.run_exports(request)
    gc.collect()
    assert all(outcome.error is not None for outcome in outcomes) and [ref() for ref in loaded] == [None, None]


def test_a_list_of_one_feature_is_that_feature(text_plugin, tiny_bert, tmp_path) -> None:
    from onnxcore.pipeline import run_exports

    outcomes = run_exports(ExportRequest(model=str(tiny_bert), output=tmp_path / "out", feature="default,default"))
    assert outcomes[0].result.feature == "default" and (tmp_path / "out" / "model.onnx").is_file()


def test_feature_list_errors_before_any_export(text_plugin, tiny_bert, tmp_path) -> None:
    from onnxcore.errors import UnknownFeatureError, UsageError
    from onnxcore.pipeline import requested_features

    with pytest.raises(UnknownFeatureError, match="unknown feature 'mased-lm'"):
        requested_features(ExportRequest(model=str(tiny_bert), output=tmp_path, feature="default,mased-lm"))
    with pytest.raises(UsageError, match="cannot be listed with other features"):
        requested_features(ExportRequest(model=str(tiny_bert), output=tmp_path, feature="all,default"))


def test_model_is_freed_before_onnx_runtime_loads_the_export(text_plugin, tiny_bert, tmp_path, monkeypatch) -> None:
    """A large model must not be in memory twice: once as PyTorch weights, once in ONNX Runtime."""
    import gc
    import weakref

    from onnxcore import pipeline

    loaded, alive_at_validation = [], []
    load, check = pipeline.load_model, pipeline.check_onnx_outputs

    def watched_load(*args, **kwargs):
        model, fresh = load(*args, **kwargs)
        loaded.append(weakref.ref(model))
        return model, fresh

    def watched_check(*args, **kwargs):
        gc.collect()
        alive_at_validation.append(loaded[0]() is not None)
        return check(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_model", watched_load)
    monkeypatch.setattr(pipeline, "check_onnx_outputs", watched_check)
    assert run_export(ExportRequest(model=str(tiny_bert), output=tmp_path / "out")).validation["model.onnx"].ok
    assert alive_at_validation == [False]


def test_scattered_external_data_is_gathered_into_one_file(tmp_path) -> None:
    """Above 2 GB the TorchScript exporter writes one file per weight; finalize gathers them, aligned."""
    import numpy as np
    from onnx import helper, numpy_helper

    from onnxcore.exporters import onnx_files

    weights = [np.full((64, 64), index, dtype=np.float32) for index in range(3)]
    nodes = [helper.make_node("MatMul", ["x", "w0"], ["h0"])]
    nodes += [helper.make_node("MatMul", [f"h{i - 1}", f"w{i}"], [f"h{i}"]) for i in (1, 2)]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("h2", onnx.TensorProto.FLOAT, ["batch", 64])],
        [numpy_helper.from_array(weight, f"w{index}") for index, weight in enumerate(weights)],
    )
    path = tmp_path / "model.onnx"
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, str(path), save_as_external_data=True, all_tensors_to_one_file=False, size_threshold=0)
    assert len(list(tmp_path.iterdir())) == 4
    files = onnx_files.finalize(
        path,
        opset=17,
        inputs={"x": {0: "batch"}},
        outputs={"h2": {0: "batch"}},
        exporter="torchscript",
        external_data=False,
    )
    assert files == [path, tmp_path / "model.onnx.data"] and sorted(p.name for p in tmp_path.iterdir()) == [
        "model.onnx",
        "model.onnx.data",
    ]
    loaded = onnx.load(str(path))
    for index, tensor in enumerate(loaded.graph.initializer):
        np.testing.assert_array_equal(numpy_helper.to_array(tensor), weights[index])
    offsets = [
        int(entry.value)
        for tensor in onnx.load(str(path), load_external_data=False).graph.initializer
        for entry in tensor.external_data
        if entry.key == "offset"
    ]
    assert all(offset % 4096 == 0 for offset in offsets)


def test_feature_auto_follows_the_architectures(text_plugin, tiny_bert, tmp_path) -> None:
    from onnxcore.errors import UsageError
    from onnxcore.pipeline import requested_features

    assert requested_features(ExportRequest(model=str(tiny_bert), output=tmp_path, feature="auto")) == ["default"]
    classifier = tmp_path / "classifier"
    shutil.copytree(tiny_bert, classifier)
    config = json.loads((classifier / "config.json").read_text())
    (classifier / "config.json").write_text(json.dumps(config | {"architectures": ["BertForSequenceClassification"]}))
    request = ExportRequest(model=str(classifier), output=tmp_path, feature="auto")
    assert requested_features(request) == ["sequence-classification"]
    (classifier / "config.json").write_text(json.dumps(config | {"architectures": ["BertForQuestionAnswering"]}))
    with pytest.raises(UsageError, match="no installed feature of bert loads BertForQuestionAnswering"):
        requested_features(request)
    del config["architectures"]
    (classifier / "config.json").write_text(json.dumps(config))
    with pytest.raises(UsageError, match="needs the architectures field"):
        requested_features(request)


class _Payload:
    """Pickled into a .bin file: unpickling it (without weights_only) would create ``marker``."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_pickled_code_in_bin_weights_is_never_run(text_plugin, tiny_bert, tmp_path) -> None:
    import pickle

    import torch

    from onnxcore.errors import ModelPathError

    checkpoint = tmp_path / "hostile"
    checkpoint.mkdir()
    shutil.copy(tiny_bert / "config.json", checkpoint / "config.json")
    marker = tmp_path / "code-ran"
    (checkpoint / "pytorch_model.bin").write_bytes(pickle.dumps({"weight": _Payload(marker)}))
    with pytest.raises(ModelPathError, match="cannot load the model weights"):
        run_export(ExportRequest(model=str(checkpoint), output=tmp_path / "out"))
    torch.save({"weight": _Payload(marker)}, checkpoint / "pytorch_model.bin")
    with pytest.raises(ModelPathError, match="hold objects other than tensors, which are not unpickled"):
        run_export(ExportRequest(model=str(checkpoint), output=tmp_path / "out"))
    assert not marker.exists() and not (tmp_path / "out").exists()


def test_keep_failed_beside_the_current_folder_and_where_a_file_is_in_the_way(
    text_plugin, tiny_bert, tmp_path, monkeypatch
) -> None:
    from onnxcore.errors import OutputPathError

    (tmp_path / "out").mkdir()
    monkeypatch.chdir(tmp_path / "out")
    with pytest.raises(ValidationError, match=f"The rejected export is in {tmp_path / 'out.failed'}; . is as it was"):
        run_export(ExportRequest(model=str(tiny_bert), output=Path("."), atol=1e-30, keep_failed=True))
    assert list((tmp_path / "out").iterdir()) == [] and (tmp_path / "out.failed" / "model.onnx").is_file()
    shutil.rmtree(tmp_path / "out.failed")
    (tmp_path / "out.failed").write_text("in the way")
    with pytest.raises(OutputPathError, match="out.failed is a file; --keep-failed puts a rejected export there"):
        run_export(ExportRequest(model=str(tiny_bert), output=Path("."), atol=1e-30, keep_failed=True))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["out", "out.failed"]
