"""``validate FOLDER``: an export checked again against its checkpoint, through its onnxcore.json."""

from __future__ import annotations

import json
import shutil

import pytest

from onnxcore.cli import main
from onnxcore.errors import ModelPathError, ValidationError
from onnxcore.pipeline import ExportRequest, run_export, validate_export


@pytest.fixture
def exported(text_plugin, tiny_bert, tmp_path):
    output = tmp_path / "out"
    run_export(ExportRequest(model=str(tiny_bert), output=output))  # a head the checkpoint lacks would be random
    return output


def test_validate_an_untouched_export(exported, tiny_bert) -> None:
    result = validate_export(exported)
    assert result.model == str(tiny_bert) and result.validation["model.onnx"].ok
    recorded = json.loads((exported / "onnxcore.json").read_text())["validation"]["model.onnx"]
    assert result.validation["model.onnx"].atol == recorded["atol"]


def test_changed_or_missing_files_fail(exported) -> None:
    (exported / "tokenizer.json").unlink()
    with open(exported / "model.onnx", "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ValidationError, match=r"missing tokenizer.json; changed model.onnx"):
        validate_export(exported)


def test_other_weights_fail_validation(exported, tiny_bert, tmp_path) -> None:
    from transformers import BertConfig, BertModel

    from onnxcore.testing.checkpoints import save_random_model

    other = tmp_path / "other"
    shutil.copytree(tiny_bert, other)
    save_random_model(other, BertModel, BertConfig.from_pretrained(tiny_bert), seed=1)
    with pytest.raises(ValidationError, match="last_hidden_state.*FAILED"):
        validate_export(exported, model=str(other))


def test_cli_exit_codes_and_messages(exported, tmp_path, capsys) -> None:
    assert main(["validate", "-q", str(exported)]) == 0
    assert main(["validate", str(tmp_path)]) == 2
    assert "has no onnxcore.json; pass a folder written by onnxcore export" in capsys.readouterr().err
    manifest = json.loads((exported / "onnxcore.json").read_text())
    (exported / "onnxcore.json").write_text(json.dumps(manifest | {"model": str(tmp_path / "moved")}))
    with pytest.raises(ModelPathError, match="recorded in onnxcore.json is not there; pass its folder with -m"):
        validate_export(exported)
    (exported / "onnxcore.json").write_text("[1, 2]")
    assert main(["validate", str(exported)]) == 2
    assert "has no model, model_type, feature, exporter, files" in capsys.readouterr().err


def test_a_random_head_is_recorded_and_drawn_again_by_validate(text_plugin, tiny_bert, tmp_path) -> None:
    import torch

    output = tmp_path / "classifier"
    torch.manual_seed(1234)
    caller_draw = torch.rand(1)
    torch.manual_seed(1234)
    with pytest.warns(UserWarning, match="has no weights for classifier.bias, classifier.weight: .*seed 0"):
        run_export(ExportRequest(model=str(tiny_bert), output=output, feature="sequence-classification"))
    assert torch.rand(1) == caller_draw  # the seeded load left the caller's generator alone
    manifest = json.loads((output / "onnxcore.json").read_text())
    assert manifest["newly_initialized"] == ["classifier.bias", "classifier.weight"]
    assert validate_export(output).validation["model.onnx"].ok
    manifest["versions"]["torch"] = "0.0.1"
    (output / "onnxcore.json").write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="with torch 0.0.1 -> .* they may be drawn differently"):
        validate_export(output)


def test_a_relative_checkpoint_is_recorded_absolute(text_plugin, tiny_bert, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tiny_bert.parent)
    run_export(ExportRequest(model=tiny_bert.name, output=tmp_path / "out"))
    assert json.loads((tmp_path / "out" / "onnxcore.json").read_text())["model"] == str(tiny_bert.resolve())
    monkeypatch.chdir(tmp_path)
    assert validate_export(tmp_path / "out").validation["model.onnx"].ok
