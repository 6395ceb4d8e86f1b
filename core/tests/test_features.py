"""FeaturesManager answers from the registry, with the transformers.onnx signatures."""

from __future__ import annotations

import functools

import pytest
from throwaway import TinyTextOnnxConfig
from transformers import AutoModelForMaskedLM, BertConfig

from onnxcore import FeaturesManager, hookimpl
from onnxcore.errors import UnknownModelTypeError, UnsupportedFeatureError


def test_supported_features_and_available_features(text_plugin) -> None:
    features = FeaturesManager.get_supported_features_for_model_type("bert")
    assert sorted(features) == ["default", "masked-lm", "sequence-classification"]
    assert isinstance(features["default"], functools.partial)
    assert FeaturesManager.AVAILABLE_FEATURES == ["default", "masked-lm", "sequence-classification"]
    assert "bert" in FeaturesManager._SUPPORTED_MODEL_TYPE
    config = FeaturesManager.get_config("bert", "text-classification")(BertConfig())
    assert config.task == "sequence-classification"


def test_feature_to_task_and_model_class(text_plugin) -> None:
    assert FeaturesManager.feature_to_task("causal-lm-with-past") == "causal-lm"
    assert FeaturesManager.feature_to_task("fill-mask") == "masked-lm"
    assert FeaturesManager.get_model_class_for_feature("masked-lm") is AutoModelForMaskedLM
    assert FeaturesManager._TASKS_TO_AUTOMODELS["default"] == "AutoModel"
    with pytest.raises(KeyError, match="unknown feature 'maskd-lm'. Did you mean 'masked-lm'"):
        FeaturesManager.get_model_class_for_feature("maskd-lm")


def test_errors(text_plugin) -> None:
    with pytest.raises(UnknownModelTypeError, match="'t5'.*onnxcore-t5"):
        FeaturesManager.get_supported_features_for_model_type("t5")
    with pytest.raises(UnsupportedFeatureError, match="Supported features: default, masked-lm"):
        FeaturesManager.get_config("bert", "causal-lm")


def test_determine_framework(tmp_path, tiny_bert) -> None:
    assert FeaturesManager.determine_framework("anything", "mock_framework") == "mock_framework"
    assert FeaturesManager.determine_framework(str(tiny_bert)) == "pt"  # safetensors count
    (tmp_path / "pt").mkdir()
    (tmp_path / "pt" / "pytorch_model.bin").write_bytes(b"")
    assert FeaturesManager.determine_framework(str(tmp_path / "pt")) == "pt"
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "tf_model.h5").write_bytes(b"")
    assert FeaturesManager.determine_framework(str(tmp_path / "tf")) == "tf"
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError):
        FeaturesManager.determine_framework(str(tmp_path / "empty"))
    assert FeaturesManager.determine_framework("org/hub-id") == "pt"


def test_model_from_feature_and_check_supported(text_plugin, tiny_bert) -> None:
    model = FeaturesManager.get_model_from_feature("fill-mask", str(tiny_bert))
    assert type(model).__name__ == "BertForMaskedLM"
    model_type, constructor = FeaturesManager.check_supported_model_or_raise(model, feature="masked-lm")
    assert model_type == "bert" and constructor(model.config).task == "masked-lm"


class NamedClassPlugin:
    """Registers bert's causal-lm with a named model class, as onnxcore-bert does for Flaubert (which no
    AutoModelForCausalLM maps)."""

    __name__ = "named-class-plugin"

    @hookimpl
    def register_onnx_configs(self, register):
        register("bert", TinyTextOnnxConfig, ["causal-lm"], model_class="BertForMaskedLM")


def test_registration_names_the_model_class(use_plugins, tiny_bert) -> None:
    use_plugins(NamedClassPlugin())
    model = FeaturesManager.get_model_from_feature("causal-lm", str(tiny_bert))
    assert type(model).__name__ == "BertForMaskedLM"
    # without a model type, the task's auto class (transformers.onnx's signature)
    assert FeaturesManager.get_model_class_for_feature("causal-lm").__name__ == "AutoModelForCausalLM"
