"""``FeaturesManager``: the transformers.onnx API, answered from what the installed plugins registered.

Differences from transformers.onnx (see docs/compatibility.md): framework detection knows safetensors and
sharded checkpoints; an unknown task lists task names (not classes); Optimum's task names are accepted
wherever a feature is; errors subclass the old exception types and say what to install or pick.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import FrameworkError, UnknownFeatureError
from .frameworks import FRAMEWORKS, get_framework
from .plugins import get_registry
from .registry import WITH_PAST

if TYPE_CHECKING:
    from transformers import PretrainedConfig

    from .config import OnnxConfig

PT_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
TF_WEIGHT_FILES = ("tf_model.h5", "tf_model.h5.index.json")


def _weights_options(model: str, framework: str) -> dict[str, bool]:
    """``from_pt``/``from_tf`` when a local folder has the other framework's weights only (converted on load)."""
    path = Path(model)
    if not path.is_dir():
        return {}
    has_pt = any((path / name).is_file() for name in PT_WEIGHT_FILES)
    has_tf = any((path / name).is_file() for name in TF_WEIGHT_FILES)
    if framework == "tf" and has_pt and not has_tf:
        return {"from_pt": True}
    if framework == "pt" and has_tf and not has_pt:
        return {"from_tf": True}
    return {}


def _import_class(path: str) -> Any:
    if ":" in path:
        module, _, name = path.partition(":")
        return getattr(importlib.import_module(module), name)
    import transformers  # lazily: keeps `import onnxcore` light

    return getattr(transformers, path)


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
        chosen = get_framework(framework)
        if not chosen.installed:
            raise FrameworkError(f"{chosen.needs} is not installed; install it with: {chosen.install}")

    @staticmethod
    def get_model_class_for_feature(feature: str, framework: str = "pt") -> type:
        """The auto class that loads a checkpoint for ``feature`` in ``framework``."""
        FeaturesManager._validate_framework_choice(framework)
        spec = get_registry().task_spec(feature)
        path = spec.auto_model if framework == "pt" else spec.tf_auto_model
        if path is None:
            raise UnknownFeatureError(f"task {spec.name!r} has no {framework} model class.")
        get_framework(framework).ops  # noqa: B018 - imported before transformers imports it: Keras 2 for TF
        return _import_class(path)

    @staticmethod
    def determine_framework(model: str, framework: str | None = None) -> str:
        """``framework`` if given; else by the weight files of a local folder (safetensors count as PyTorch);
        else PyTorch when installed, then TensorFlow."""
        if framework is not None:
            return framework
        path = Path(model)
        if path.is_dir():
            if any((path / name).is_file() for name in PT_WEIGHT_FILES):
                return "pt"
            if any((path / name).is_file() for name in TF_WEIGHT_FILES):
                return "tf"
            raise FileNotFoundError(
                f"no model weights in {model}: expected one of {', '.join(PT_WEIGHT_FILES + TF_WEIGHT_FILES)}."
            )
        for candidate in FRAMEWORKS.values():
            if candidate.installed:
                return candidate.name
        raise OSError("Neither PyTorch nor TensorFlow is installed; install torch==2.13.0 or onnxcore[tf].")

    @staticmethod
    def get_model_from_feature(
        feature: str,
        model: str,
        framework: str | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        **model_kwargs: Any,
    ) -> Any:
        """Load ``model`` (local folder or hub id) with the auto class of ``feature``.

        Extra keyword arguments go to ``from_pretrained`` (onnxcore addition, e.g. ``trust_remote_code``).
        """
        framework = FeaturesManager.determine_framework(model, framework)
        model_class = FeaturesManager.get_model_class_for_feature(feature, framework)
        options = _weights_options(model, framework)
        if options or Path(model).is_dir():  # a local folder's weights are known: no guessing on a load error
            return model_class.from_pretrained(model, cache_dir=cache_dir, **options, **model_kwargs)
        # transformers 4.57 fails to read PyTorch safetensors into a TF model unless told from_pt (a TypeError)
        other_weights = (OSError, TypeError) if framework == "tf" else OSError
        try:
            return model_class.from_pretrained(model, cache_dir=cache_dir, **model_kwargs)
        except other_weights:
            other = {"from_tf": True} if framework == "pt" else {"from_pt": True}
            return model_class.from_pretrained(model, cache_dir=cache_dir, **other, **model_kwargs)

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
