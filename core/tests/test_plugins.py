"""Plugin host: isolation of broken plugins, validation of registrations, conflicts, strict mode."""

from __future__ import annotations

import pytest
from throwaway import TextPlugin, TinyTextOnnxConfig

from onnxcore import OnnxConfig, hookimpl
from onnxcore.errors import DuplicateRegistrationError, PluginError, UnknownModelTypeError
from onnxcore.plugins import PluginLoadWarning, load_plugins


class RaisingPlugin:
    __name__ = "raising"

    @hookimpl
    def register_onnx_configs(self, register):
        register("roberta", TinyTextOnnxConfig, ["default"])  # staged, then discarded when the hook raises
        raise RuntimeError("boom")


class TaskPlugin:
    __name__ = "task-plugin"

    @hookimpl
    def register_tasks(self, register):
        register("audio-classification", auto_model="AutoModelForAudioClassification", synonyms=["audio-cls"])


class TypoPlugin:
    __name__ = "typo"

    @hookimpl
    def register_onnx_config(self, register):  # missing "s": not a hook
        pass


class SecondBertPlugin(TextPlugin):
    __name__ = "second-bert"


def test_builtin_tasks_and_synonyms() -> None:
    host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""})
    registry = host.registry
    assert len(registry.tasks) == 15
    assert registry.canonical_feature("text-generation-with-past") == "causal-lm-with-past"
    assert registry.canonical_feature("feature-extraction") == "default"
    assert registry.canonical_feature("automatic-speech-recognition") == "speech2seq-lm"
    loaded = [info.name for info in host.plugins if info.status != "disabled"]
    assert loaded == ["onnxcore.builtin_tasks", "onnxcore.exporters.builtin", "onnxcore.steps.builtin"]


def test_hook_register_onnx_configs_and_raising_plugin_is_isolated() -> None:
    with pytest.warns(PluginLoadWarning, match="raising.*RuntimeError: boom.*ONNXCORE_DISABLE_PLUGINS=raising"):
        host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[RaisingPlugin(), TextPlugin()])
    status = {info.name: (info.status, info.model_types) for info in host.plugins}
    assert status["raising"][0] == "error" and status["raising"][1] == []
    assert status["test-text-plugin"] == ("ok", ["bert"])
    assert host.registry.model_types() == ["bert"]
    assert host.registry.resolve("bert", "fill-mask").feature == "masked-lm"


def test_hook_register_tasks_adds_features() -> None:
    host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[TaskPlugin()])
    assert host.registry.canonical_feature("audio-cls") == "audio-classification"
    assert host.registry.tasks["audio-classification"].plugin == "task-plugin"


def test_unknown_hook_name_marks_plugin_broken() -> None:
    with pytest.warns(PluginLoadWarning, match="unknown hook.*register_onnx_config"):
        host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[TypoPlugin()])
    assert next(info for info in host.plugins if info.name == "typo").status == "error"


def test_strict_mode_raises() -> None:
    with pytest.raises(PluginError, match="boom"):
        load_plugins({"ONNXCORE_LOAD_PLUGINS": "", "ONNXCORE_STRICT_PLUGINS": "1"}, extra_plugins=[RaisingPlugin()])


@pytest.mark.parametrize(
    ("model_type", "config_cls", "features", "message"),
    [
        ("bert", object, ["default"], "not an OnnxConfig subclass"),
        ("bert", TinyTextOnnxConfig, ["causal-lm-with-past"], "needs an OnnxConfigWithPast"),
        ("bert", TinyTextOnnxConfig, ["no-such-feature"], "unknown feature"),
        ("bert", TinyTextOnnxConfig, "default", "not the string"),
        ("", TinyTextOnnxConfig, ["default"], "non-empty string"),
        ("bert", TinyTextOnnxConfig, ["default"], "model_class for 'bert' must be a class name string, got 3"),
    ],
)
def test_invalid_registrations_are_reported(model_type, config_cls, features, message) -> None:
    class Bad:
        __name__ = "bad"

        @hookimpl
        def register_onnx_configs(self, register):
            register(model_type, config_cls, features, **({"model_class": 3} if "model_class" in message else {}))

    with pytest.warns(PluginLoadWarning, match=message):
        host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[Bad()])
    assert host.registry.model_types() == []


def test_duplicate_registration_names_both_plugins_until_one_is_preferred() -> None:
    host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[TextPlugin(), SecondBertPlugin()])
    with pytest.raises(DuplicateRegistrationError, match="'test-text-plugin' and 'second-bert'"):
        host.registry.resolve("bert", "default")
    assert len(host.registry.conflicts()) == 3
    preferred = load_plugins(
        {"ONNXCORE_LOAD_PLUGINS": "", "ONNXCORE_PREFER_PLUGINS": "second-bert"},
        extra_plugins=[TextPlugin(), SecondBertPlugin()],
    )
    assert preferred.registry.resolve("bert", "default").plugin == "second-bert"
    with pytest.raises(PluginError, match="registered by"):
        load_plugins(
            {"ONNXCORE_LOAD_PLUGINS": "", "ONNXCORE_STRICT_PLUGINS": "1"},
            extra_plugins=[TextPlugin(), SecondBertPlugin()],
        )


def test_duplicate_task_is_an_error_naming_both() -> None:
    class Clash:
        __name__ = "clash"

        @hookimpl
        def register_tasks(self, register):
            register("fill-mask-2", auto_model="AutoModel", synonyms=["fill-mask"])

    with pytest.warns(
        PluginLoadWarning, match="'fill-mask' is registered by both 'onnxcore.builtin_tasks' and 'clash'"
    ):
        load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[Clash()])


def test_unknown_model_type_names_installed_types_and_plugin() -> None:
    host = load_plugins({"ONNXCORE_LOAD_PLUGINS": ""}, extra_plugins=[TextPlugin()])
    with pytest.raises(UnknownModelTypeError, match=r"installed types: bert\); install the onnxcore-gpt2 plugin"):
        host.registry.resolve("gpt2", "default")
    with pytest.raises(KeyError):  # transformers.onnx raised KeyError here; callers catching it still work
        host.registry.resolve("llama", "default")
    assert issubclass(TinyTextOnnxConfig, OnnxConfig)
