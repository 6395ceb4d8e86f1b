"""A plugin whose OnnxConfig raises is named in the error, with the switch that disables it."""

from __future__ import annotations

import importlib
import io
import sys
import textwrap

import pytest


def _export_with_plugin(config_body: str, use_plugins, tiny_bert, tmp_path, monkeypatch) -> tuple[int, str]:
    """Export tiny-bert with a plugin module whose OnnxConfig has ``config_body``; (exit code, last error line)."""
    source = """
        from collections import OrderedDict

        from onnxcore import OnnxConfig, hookimpl


        class BrokenOnnxConfig(OnnxConfig):
        BODY

        @hookimpl
        def register_onnx_configs(register):
            register("bert", BrokenOnnxConfig, ["default"])
        """
    body = textwrap.indent(textwrap.dedent(config_body), " " * 4)
    (tmp_path / "broken_config_plugin.py").write_text(textwrap.dedent(source).replace("BODY", body.strip("\n")))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("broken_config_plugin", None)
    use_plugins(importlib.import_module("broken_config_plugin"))
    from onnxcore.cli import main

    err = io.StringIO()
    code = main(["export", "-m", str(tiny_bert), str(tmp_path / "out")], io.StringIO(), err)
    sys.modules.pop("broken_config_plugin", None)
    assert not (tmp_path / "out").exists() and "Traceback" not in err.getvalue()
    return code, err.getvalue().strip().splitlines()[-1]


def test_a_config_that_raises_names_its_plugin(use_plugins, tiny_bert, tmp_path, monkeypatch) -> None:
    body = """
        @property
        def inputs(self):
            return self.undefined_attribute
        """
    code, line = _export_with_plugin(body, use_plugins, tiny_bert, tmp_path, monkeypatch)
    assert code == 1
    assert line.startswith("error: plugin 'broken_config_plugin' ((not installed) -) failed: AttributeError:")
    assert line.endswith("report it to its author, or disable it with ONNXCORE_DISABLE_PLUGINS=broken_config_plugin.")


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (
            """
            @property
            def inputs(self):
                return ["input_ids"]
            """,
            "BrokenOnnxConfig.inputs is a list, not a mapping of input names to their dynamic axes",
        ),
        (
            """
            @property
            def inputs(self):
                return OrderedDict(input_ids={0: "batch", "1": "sequence"})
            """,
            "BrokenOnnxConfig.inputs['input_ids'] maps '1' to 'sequence'; dynamic axes map an axis index",
        ),
        (
            """
            @property
            def inputs(self):
                return OrderedDict(input_ids={0: "batch", 1: "sequence"})

            @property
            def outputs(self):
                return OrderedDict(no_such_output={0: "batch"})
            """,
            "BrokenOnnxConfig declares output no_such_output, which the model does not return",
        ),
        (
            """
            @property
            def inputs(self):
                return OrderedDict(input_ids={0: "batch", 5: "sequence"})
            """,
            "failed: BrokenOnnxConfig.inputs['input_ids'] declares dynamic axis 5 ('sequence'), but input_ids has 2"
            " dimensions (example shape (2, 8)); axes count from 0; report it",
        ),
        (
            """
            @property
            def inputs(self):
                return OrderedDict(input_ids={0: "batch"})
            """,
            "failed: BrokenOnnxConfig.inputs['input_ids'] does not declare axis 1 of input_ids dynamic, so the export"
            " fixed it at 8, but validation gives it 9; add axis 1 to its dynamic axes (like {1: 'sequence'}); report",
        ),
    ],
)
def test_a_config_that_breaks_the_contract_names_its_plugin(
    use_plugins, tiny_bert, tmp_path, monkeypatch, body, complaint
) -> None:
    code, line = _export_with_plugin(body, use_plugins, tiny_bert, tmp_path, monkeypatch)
    assert code == 1 and line.startswith("error: plugin 'broken_config_plugin'"), line
    assert complaint in line and "ONNXCORE_DISABLE_PLUGINS=broken_config_plugin" in line, line
