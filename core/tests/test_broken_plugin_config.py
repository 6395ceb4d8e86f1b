"""A plugin whose OnnxConfig raises is named in the error, with the switch that disables it."""

from __future__ import annotations

import importlib
import io
import sys
import textwrap


def test_a_config_that_raises_names_its_plugin(use_plugins, tiny_bert, tmp_path, monkeypatch) -> None:
    (tmp_path / "broken_config_plugin.py").write_text(
        textwrap.dedent(
            """
            from onnxcore import OnnxConfig, hookimpl


            class BrokenOnnxConfig(OnnxConfig):
                @property
                def inputs(self):
                    return self.undefined_attribute


            @hookimpl
            def register_onnx_configs(register):
                register("bert", BrokenOnnxConfig, ["default"])
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    use_plugins(importlib.import_module("broken_config_plugin"))
    from onnxcore.cli import main

    err = io.StringIO()
    code = main(["export", "-m", str(tiny_bert), str(tmp_path / "out")], io.StringIO(), err)
    sys.modules.pop("broken_config_plugin", None)
    assert code == 1 and not (tmp_path / "out").exists()
    line = err.getvalue().strip().splitlines()[-1]
    assert line.startswith("error: plugin 'broken_config_plugin' ((not installed) -) failed: AttributeError:")
    assert line.endswith("report it to its author, or disable it with ONNXCORE_DISABLE_PLUGINS=broken_config_plugin.")
