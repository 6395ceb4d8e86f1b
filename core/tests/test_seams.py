"""The exporter and post-export step seams, shown with throwaway plugins: each is one module and one table entry."""

from __future__ import annotations

import json

import onnx
import pytest
from throwaway import ExporterPlugin, StepPlugin, TextPlugin

from onnxcore.cli import build_parser
from onnxcore.errors import UsageError
from onnxcore.exporters import DEFAULT_EXPORTER, EXPORTERS, TF_EXPORTER
from onnxcore.pipeline import ExportRequest, choose_exporter, run_export
from onnxcore.plugins import PluginLoadWarning, load_plugins


def test_core_registers_its_exporters_through_the_hook() -> None:
    registry = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}).registry
    assert list(registry.exporters) == [*EXPORTERS, TF_EXPORTER] == ["torchscript", "dynamo", "tf2onnx"]
    assert set(registry.exporter_plugins.values()) == {"onnxcore.exporters.builtin"}
    assert registry.exporters_for("pt")[0].name == DEFAULT_EXPORTER and registry.steps == []


def test_hook_register_exporters_exports_end_to_end(use_plugins, tiny_bert, tmp_path) -> None:
    plugin = ExporterPlugin()
    use_plugins(TextPlugin(), plugin)
    export = next(action for action in build_parser()._actions if action.dest == "command").choices["export"]
    assert "test-recording" in next(action for action in export._actions if action.dest == "exporter").choices
    request = ExportRequest(model=str(tiny_bert), output=tmp_path / "out", exporter="test-recording")
    assert choose_exporter(ExportRequest(model="m", output=tmp_path), "pt") == "torchscript"  # core's stays default
    result = run_export(request)
    assert plugin.exporter.written == ["model.onnx"]
    assert result.exporter == result.manifest["exporter"] == "test-recording" and result.opset == 11
    assert result.manifest["attention"] == "eager" and result.validation["model.onnx"].ok
    with pytest.raises(UsageError, match="--exporter test-recording does not export TensorFlow models"):
        choose_exporter(request, "tf")


def test_an_exporter_name_taken_by_another_plugin_is_reported() -> None:
    class Clash(ExporterPlugin):
        __name__ = "clash"

        def __init__(self) -> None:
            super().__init__()
            self.exporter.name = "torchscript"

    with pytest.warns(PluginLoadWarning, match="'torchscript' is registered by both 'onnxcore.exporters.builtin' and"):
        host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[Clash()])
    assert type(host.registry.exporter("torchscript")).__name__ == "TorchScriptExporter"


def test_hook_register_steps_runs_before_validation_and_the_manifest(use_plugins, tiny_bert, tmp_path) -> None:
    plugin = StepPlugin()
    use_plugins(TextPlugin(), plugin)
    messages: list[str] = []
    result = run_export(ExportRequest(model=str(tiny_bert), output=tmp_path / "out"), messages.append)
    (context,) = plugin.step.contexts
    assert list(context.files) == ["model.onnx"] and context.exporter == "torchscript" and context.framework == "pt"
    step = messages.index("Running the test-stamp step")
    assert messages[step - 1].startswith("Exporting model.onnx") and messages[step + 1].startswith("Running the")
    assert result.validation["model.onnx"].ok  # validation ran on the stamped file
    stamped = onnx.load(str(result.output / "model.onnx"))
    assert {prop.key: prop.value for prop in stamped.metadata_props}["stamped-by"] == "torchscript"
    manifest = json.loads((result.output / "onnxcore.json").read_text())
    assert "stamp.txt" in manifest["files"] and (result.output / "stamp.txt").read_text() == "default 11\n"
