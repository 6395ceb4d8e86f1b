"""Plugins core has never heard of, installed with pip: one that works and one whose import raises."""

from __future__ import annotations

import json

from conftest import TINY_BERT, run_cli


def test_third_party_plugin_shows_up_and_exports(installed_test_plugins, tiny_mpnet, tmp_path) -> None:
    env = {"PYTHONPATH": str(installed_test_plugins), "ONNXCORE_DISABLE_PLUGINS": "broken"}
    features = json.loads(run_cli("features", "mpnet", "--json", env=env).out)
    assert {(r["feature"], r["distribution"]) for r in features} == {
        ("default", "onnxcore-testplug"),
        ("sequence-classification", "onnxcore-testplug"),
    }
    run = run_cli("export", "-m", str(tiny_mpnet), "--feature", "text-classification", str(tmp_path / "o"), env=env)
    assert run.code == 0, run.err
    manifest = json.loads((tmp_path / "o" / "onnxcore.json").read_text())
    assert manifest["plugin"]["distribution"] == "onnxcore-testplug" and manifest["validation"]["model.onnx"]["ok"]


def test_broken_plugin_is_reported_and_the_rest_works(installed_test_plugins, tmp_path) -> None:
    env = {"PYTHONPATH": str(installed_test_plugins)}
    plugins = {p["distribution"]: p for p in json.loads(run_cli("plugins", "--json", env=env).out)}
    assert plugins["onnxcore-broken"]["status"] == "error"
    assert "ModuleNotFoundError" in plugins["onnxcore-broken"]["error"]
    assert plugins["onnxcore-bert"]["status"] == "ok" and plugins["onnxcore-testplug"]["status"] == "ok"
    features = run_cli("features", env=env)
    assert features.code == 0 and "onnxcore-bert" in features.out
    assert "warning: plugin 'broken' (onnxcore-broken 0.0.1)" in features.err
    assert "ONNXCORE_DISABLE_PLUGINS=broken" in features.err
    run = run_cli("export", "-m", str(TINY_BERT), "--quiet", str(tmp_path / "o"), env=env)
    assert run.code == 0, run.err
    strict = run_cli("features", env={**env, "ONNXCORE_STRICT_PLUGINS": "1"})
    assert strict.code == 1 and "broken" in strict.error_line


def test_environment_switches(installed_test_plugins) -> None:
    env = {"PYTHONPATH": str(installed_test_plugins)}

    def loaded(**switches: str) -> set[str]:
        plugins = json.loads(run_cli("plugins", "--json", env={**env, **switches}).out)
        return {p["distribution"] for p in plugins if p["status"] != "disabled"}

    assert loaded(ONNXCORE_LOAD_PLUGINS="") == set()
    assert loaded(ONNXCORE_LOAD_PLUGINS="bert,testplug") == {"onnxcore-bert", "onnxcore-testplug"}
    everything_but_broken = {
        "onnxcore-bert",
        "onnxcore-ernie",
        "onnxcore-gpt2",
        "onnxcore-llama",
        "onnxcore-multimodal",
        "onnxcore-t5",
        "onnxcore-testplug",
        "onnxcore-vit",
        "onnxcore-wav2vec2",
        "onnxcore-whisper",
    }
    assert loaded(ONNXCORE_DISABLE_PLUGINS="onnxcore-broken") == everything_but_broken
    none = run_cli("features", "bert", env={**env, "ONNXCORE_LOAD_PLUGINS": ""})
    assert none.code == 2 and "pip install onnxcore-bert" in none.error_line
