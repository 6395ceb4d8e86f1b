"""``FeaturesManager``: the transformers.onnx API, answered from what the installed plugins registered. A facade
over :mod:`onnxcore.registry` and :mod:`onnxcore.loading`; core itself never calls it.

Differences from transformers.onnx (see docs/compatibility.md): framework detection knows safetensors and
sharded checkpoints; an unknown task lists task names (not classes); Optimum's task names are accepted
wherever a feature is; errors subclass the old exception types and say what to install or pick.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .errors import UnknownFeatureError
from .loading import checkpoint_model_type, detect_framework, load_for_feature, model_class_for, require_framework
from .plugins import get_registry
from .registry import WITH_PAST

if TYPE_CHECKING:
    from transformers import PretrainedConfig

    from .config import OnnxConfig


class _RegistryView(type):
    """Class-level properties, so ``FeaturesManager.AVAILABLE_FEATURES`` reflects the installed plugins."""

    @property
    def AVAILABLE_FEATURES(cls) -> list[str]:  # noqa: N802 - transformers.onnx name
        return get_registry().available_features()

    @property
    def _SUPPORTED_MODEL_TYPE(cls) -> dict[str, dict[str, Callable[[PretrainedConfig], OnnxConfig]]]:  # noqa: N802
        registry = get_registry()
        return {
            model_type: cls.get_supported_features_for_model_type(model_type) for model_type in registry.model_types()
        }

    @property
    def _TASKS_TO_AUTOMODELS(cls) -> dict[str, str]:  # noqa: N802
        return {name: spec.auto_model for name, spec in get_registry().tasks.items() if spec.auto_model}

    @property
    def _TASKS_TO_TF_AUTOMODELS(cls) -> dict[str, str]:  # noqa: N802
        return {name: spec.tf_auto_model for name, spec in get_registry().tasks.items() if spec.tf_auto_model}


class FeaturesManager(metaclass=_RegistryView):
    """Which features each model type exports, and how to load the model for a feature."""

    @staticmethod
    def get_supported_features_for_model_type(
        model_type: str, model_name: str | None = None
    ) -> dict[str, Callable[[PretrainedConfig], OnnxConfig]]:
        """Feature -> OnnxConfig constructor for ``model_type``; unknown type raises a KeyError subclass."""
        registry = get_registry()
        features = registry.require_model_type(model_type, model_name)
        return {
            feature: registry.resolve(model_type, feature, model_name).constructor() for feature in sorted(features)
        }

    @staticmethod
    def feature_to_task(feature: str) -> str:
        """The task behind a feature (``causal-lm-with-past`` -> ``causal-lm``); synonyms are resolved."""
        try:
            feature = get_registry().canonical_feature(feature)
        except UnknownFeatureError:
            pass
        return feature.replace(WITH_PAST, "")

    @staticmethod
    def _validate_framework_choice(framework: str) -> None:
        require_framework(framework)

    @staticmethod
    def get_model_class_for_feature(feature: str, framework: str = "pt") -> type:
        """The auto class that loads a checkpoint for ``feature`` in ``framework``."""
        return model_class_for(feature, framework)

    @staticmethod
    def determine_framework(model: str, framework: str | None = None) -> str:
        """``framework`` if given; else by the weight files of a local folder (safetensors count as PyTorch);
        else PyTorch when installed, then TensorFlow."""
        return detect_framework(model, framework)

    @staticmethod
    def get_model_from_feature(
        feature: str,
        model: str,
        framework: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        **model_kwargs: Any,
    ) -> Any:
        """Load ``model`` (local folder or hub id) with the auto class of ``feature``, or the class its model
        type's registration names (Flaubert's causal LM, which no auto class maps).

        Extra keyword arguments go to ``from_pretrained`` (onnxcore addition, e.g. ``trust_remote_code``).
        """
        model_type = checkpoint_model_type(model, cache_dir)
        return load_for_feature(feature, model, framework, cache_dir, model_type, **model_kwargs)

    @staticmethod
    def check_supported_model_or_raise(model: Any, feature: str = "default") -> tuple[str, Callable[..., OnnxConfig]]:
        """``(model_type, OnnxConfig constructor)`` for a loaded model, or an error naming what is supported."""
        model_type = model.config.model_type
        registration = get_registry().resolve(model_type, feature, getattr(model.config, "name_or_path", None))
        return model.config.model_type, registration.constructor()

    @staticmethod
    def get_config(model_type: str, feature: str) -> Callable[..., OnnxConfig]:
        """The OnnxConfig constructor for ``(model_type, feature)`` (call it with the model config)."""
        return get_registry().resolve(model_type, feature).constructor()
