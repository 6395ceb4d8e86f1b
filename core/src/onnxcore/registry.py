"""What plugins registered: tasks (with the classes that load them), OnnxConfigs per model type and feature,
export backends and post-export steps.

The registry validates every registration as it is made and remembers which plugin made it, so that errors
and listings can name the plugin. It is filled by :mod:`onnxcore.plugins` and read by ``FeaturesManager``,
the pipeline and the CLI.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .config import OnnxConfig, OnnxConfigWithPast
from .errors import (
    DuplicateRegistrationError,
    PluginError,
    UnknownFeatureError,
    UnknownModelTypeError,
    UnsupportedFeatureError,
)

if TYPE_CHECKING:
    from transformers import PretrainedConfig

    from .exporters.base import Exporter
    from .steps.base import Step

WITH_PAST = "-with-past"

#: The model types of each first-party and contrib plugin, so an error can say what to install.
_PLUGIN_MODEL_TYPES = {
    "onnxcore-bert": (
        "albert bert big-bird camembert convbert data2vec-text deberta deberta-v2 distilbert electra flaubert ibert"
        " layoutlm longformer mobilebert rembert roberta roformer squeezebert xlm xlm-roberta"
    ),
    "onnxcore-gpt2": "bloom codegen gpt-neo gpt2 gptj imagegpt",
    "onnxcore-t5": "bart bigbird-pegasus blenderbot blenderbot-small longt5 m2m-100 marian mbart mt5 t5",
    "onnxcore-vit": (
        "beit convnext data2vec-vision deit detr levit mobilenet-v1 mobilenet-v2 mobilevit poolformer resnet"
        " segformer swin vit yolos"
    ),
    "onnxcore-whisper": "whisper",
    "onnxcore-multimodal": "clip groupvit layoutlmv3 owlvit perceiver vision-encoder-decoder",
    "onnxcore-ernie": "ernie",
    "onnxcore-llama": "llama mistral qwen2",
    "onnxcore-wav2vec2": "wav2vec2",
}
KNOWN_PLUGIN_DISTRIBUTIONS = {
    model_type: distribution for distribution, types in _PLUGIN_MODEL_TYPES.items() for model_type in types.split()
}


class TaskRegistrar(Protocol):
    """The ``register`` callable handed to :func:`onnxcore.hookspecs.register_tasks`."""

    def __call__(
        self,
        name: str,
        *,
        auto_model: str | None = None,
        tf_auto_model: str | None = None,
        synonyms: Sequence[str] = (),
    ) -> None: ...


class ConfigRegistrar(Protocol):
    """The ``register`` callable handed to :func:`onnxcore.hookspecs.register_onnx_configs`."""

    def __call__(
        self,
        model_type: str,
        onnx_config_cls: type[OnnxConfig],
        features: Iterable[str],
        *,
        model_class: str | None = None,
        tf_model_class: str | None = None,
    ) -> None: ...


class ExporterRegistrar(Protocol):
    """The ``register`` callable handed to :func:`onnxcore.hookspecs.register_exporters`."""

    def __call__(self, exporter: Exporter) -> None: ...


class StepRegistrar(Protocol):
    """The ``register`` callable handed to :func:`onnxcore.hookspecs.register_steps`."""

    def __call__(self, step: Step) -> None: ...


@dataclasses.dataclass(frozen=True)
class Registered:
    """An exporter or a step and the plugin that registered it."""

    value: Any
    plugin: str


@dataclasses.dataclass(frozen=True)
class TaskSpec:
    """A task and the auto classes that load a checkpoint for it."""

    name: str
    auto_model: str | None
    tf_auto_model: str | None
    synonyms: tuple[str, ...]
    plugin: str


@dataclasses.dataclass(frozen=True)
class ConfigRegistration:
    """One ``(model_type, feature)`` pair and the plugin that provides its OnnxConfig."""

    model_type: str
    feature: str
    onnx_config_cls: type[OnnxConfig]
    plugin: str
    #: the PyTorch / TensorFlow class that loads the checkpoint, where the task's auto class does not map this
    #: model type (a transformers name or ``module:Class``); None: the auto class
    model_class: str | None = None
    tf_model_class: str | None = None

    @property
    def task(self) -> str:
        """The feature without its ``-with-past`` suffix."""
        return self.feature.removesuffix(WITH_PAST)

    def constructor(self) -> Callable[[PretrainedConfig], OnnxConfig]:
        """A factory taking a model config, as ``transformers.onnx`` stored it (``partial`` of the class)."""
        if self.feature.endswith(WITH_PAST):
            return functools.partial(self.onnx_config_cls.with_past, task=self.task)  # type: ignore[attr-defined]
        return functools.partial(self.onnx_config_cls.from_model_config, task=self.feature)


def normalize_model_type(model_type: str) -> str:
    """Registry key of a model type: lower case, hyphens (``"gpt_neo"`` -> ``"gpt-neo"``)."""
    return model_type.lower().replace("_", "-")


class Registry:
    """Tasks and OnnxConfig registrations, each tagged with the plugin that made it."""

    def __init__(self, preferred_plugins: Sequence[str] = ()) -> None:
        self.tasks: dict[str, TaskSpec] = {}
        self._aliases: dict[str, str] = {}
        self._configs: dict[str, dict[str, list[ConfigRegistration]]] = {}
        self.preferred_plugins = tuple(preferred_plugins)
        #: name -> exporter, in registration order (core's first): the first of a framework is its default
        self.exporters: dict[str, Exporter] = {}
        self.exporter_plugins: dict[str, str] = {}
        #: post-export steps, run in registration order on every staged export
        self.steps: list[Step] = []
        self.step_plugins: dict[str, str] = {}

    # -- tasks -----------------------------------------------------------------------------------------
    def task_registrar(self, plugin: str, staged: list[TaskSpec]) -> TaskRegistrar:
        """A ``register`` callable for ``plugin`` that validates and appends to ``staged``."""

        def register(
            name: str,
            *,
            auto_model: str | None = None,
            tf_auto_model: str | None = None,
            synonyms: Sequence[str] = (),
        ) -> None:
            if not isinstance(name, str) or not name or name.endswith(WITH_PAST):
                raise PluginError(f"task name must be a non-empty string without {WITH_PAST!r}, got {name!r}")
            staged.append(TaskSpec(name, auto_model, tf_auto_model, tuple(synonyms), plugin))

        return register

    def add_task(self, spec: TaskSpec) -> None:
        """Commit a task; a name or synonym taken by another plugin is an error naming both."""
        for alias in (spec.name, *spec.synonyms):
            owner = self._aliases.get(alias)
            if owner is not None:
                other = self.tasks[owner].plugin
                raise DuplicateRegistrationError(
                    f"task name {alias!r} is registered by both {other!r} and {spec.plugin!r}"
                )
        self.tasks[spec.name] = spec
        for alias in (spec.name, *spec.synonyms):
            self._aliases[alias] = spec.name

    def canonical_feature(self, feature: str) -> str:
        """Resolve synonyms (``text-generation-with-past`` -> ``causal-lm-with-past``); unknown -> error."""
        with_past = feature.endswith(WITH_PAST)
        task = self._aliases.get(feature.removesuffix(WITH_PAST))
        if task is None:
            known = sorted(self._aliases)
            close = difflib.get_close_matches(feature.removesuffix(WITH_PAST), known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise UnknownFeatureError(
                f"unknown feature {feature!r}.{hint} Known features: {', '.join(sorted(self.tasks))}."
            )
        return task + WITH_PAST if with_past else task

    def task_spec(self, feature: str) -> TaskSpec:
        """The TaskSpec behind a feature or synonym."""
        return self.tasks[self.canonical_feature(feature).removesuffix(WITH_PAST)]

    # -- OnnxConfigs -----------------------------------------------------------------------------------
    def config_registrar(self, plugin: str, staged: list[ConfigRegistration]) -> ConfigRegistrar:
        """A ``register`` callable for ``plugin`` that validates and appends to ``staged``."""

        def register(
            model_type: str,
            onnx_config_cls: type[OnnxConfig],
            features: Iterable[str],
            *,
            model_class: str | None = None,
            tf_model_class: str | None = None,
        ) -> None:
            if not isinstance(model_type, str) or not model_type:
                raise PluginError(f"model_type must be a non-empty string, got {model_type!r}")
            if not (isinstance(onnx_config_cls, type) and issubclass(onnx_config_cls, OnnxConfig)):
                raise PluginError(f"{onnx_config_cls!r} registered for {model_type!r} is not an OnnxConfig subclass")
            if isinstance(features, str):
                raise PluginError(f"features for {model_type!r} must be a list of names, not the string {features!r}")
            for option, value in (("model_class", model_class), ("tf_model_class", tf_model_class)):
                if value is not None and (not isinstance(value, str) or not value):
                    raise PluginError(f"{option} for {model_type!r} must be a class name string, got {value!r}")
            for name in features:
                feature = self.canonical_feature(name)
                if feature.endswith(WITH_PAST) and not issubclass(onnx_config_cls, OnnxConfigWithPast):
                    raise PluginError(
                        f"feature {feature!r} of {model_type!r} needs an OnnxConfigWithPast, but"
                        f" {onnx_config_cls.__name__} is not one"
                    )
                task = feature.removesuffix(WITH_PAST)
                if task not in onnx_config_cls._tasks_to_common_outputs:
                    raise PluginError(
                        f"{onnx_config_cls.__name__} declares no outputs for task {task!r}; add it to"
                        " _tasks_to_common_outputs or override outputs"
                    )
                staged.append(
                    ConfigRegistration(
                        normalize_model_type(model_type), feature, onnx_config_cls, plugin, model_class, tf_model_class
                    )
                )

        return register

    def add_config(self, registration: ConfigRegistration) -> None:
        """Commit a registration; the same plugin registering a pair twice keeps the last one."""
        entries = self._configs.setdefault(registration.model_type, {}).setdefault(registration.feature, [])
        entries[:] = [entry for entry in entries if entry.plugin != registration.plugin]
        entries.append(registration)

    def model_types(self) -> list[str]:
        """Registered model types, sorted."""
        return sorted(self._configs)

    def registrations(self, model_type: str) -> dict[str, list[ConfigRegistration]]:
        """Feature -> every registration of it for ``model_type`` (more than one means a conflict)."""
        return self._configs.get(normalize_model_type(model_type), {})

    def conflicts(self) -> list[list[ConfigRegistration]]:
        """Pairs registered by more than one plugin and not settled by ``preferred_plugins``."""
        return [
            entries
            for features in self._configs.values()
            for entries in features.values()
            if len(entries) > 1 and self._pick(entries) is None
        ]

    def _pick(self, entries: list[ConfigRegistration]) -> ConfigRegistration | None:
        if len(entries) == 1:
            return entries[0]
        preferred = [entry for entry in entries if entry.plugin in self.preferred_plugins]
        return preferred[0] if len(preferred) == 1 else None

    def require_model_type(self, model_type: str, model_name: str | None = None) -> dict[str, list[ConfigRegistration]]:
        """Registrations of ``model_type``, or an error listing installed types and the plugin to install."""
        features = self.registrations(model_type)
        if features:
            return features
        key = normalize_model_type(model_type)
        installed = ", ".join(self.model_types()) or "none"
        source = f" ({model_name})" if model_name else ""
        distribution = KNOWN_PLUGIN_DISTRIBUTIONS.get(key)
        if distribution:
            fix = f"install the {distribution} plugin: pip install {distribution}"
        else:
            fix = "no known plugin adds it; write one (see docs/plugins.md) or pick a model of an installed type"
        raise UnknownModelTypeError(
            f"model type {model_type!r}{source} is not supported by the installed plugins (installed types:"
            f" {installed}); {fix}."
        )

    def resolve(self, model_type: str, feature: str, model_name: str | None = None) -> ConfigRegistration:
        """The registration exporting ``feature`` of ``model_type``, or an error naming what exists."""
        features = self.require_model_type(model_type, model_name)
        canonical = self.canonical_feature(feature)
        entries = features.get(canonical)
        if not entries:
            raise UnsupportedFeatureError(
                f"{normalize_model_type(model_type)} doesn't support feature {feature!r}. Supported features:"
                f" {', '.join(sorted(features))}."
            )
        chosen = self._pick(entries)
        if chosen is None:
            names = " and ".join(repr(entry.plugin) for entry in entries)
            raise DuplicateRegistrationError(
                f"{canonical!r} of model type {entries[0].model_type!r} is registered by both {names}; pick one with"
                f" ONNXCORE_PREFER_PLUGINS=<plugin> or disable the other with ONNXCORE_DISABLE_PLUGINS=<plugin>."
            )
        return chosen

    def find(self, model_type: str, feature: str) -> ConfigRegistration | None:
        """The registration :meth:`resolve` would pick, or None where it would raise."""
        try:
            feature = self.canonical_feature(feature)
        except UnknownFeatureError:
            return None
        entries = self.registrations(model_type).get(feature)
        return self._pick(entries) if entries else None

    def available_features(self) -> list[str]:
        """Every feature some model type supports, sorted (``FeaturesManager.AVAILABLE_FEATURES``)."""
        return sorted({feature for features in self._configs.values() for feature in features})

    # -- exporters and steps ---------------------------------------------------------------------------
    def exporter_registrar(self, plugin: str, staged: list[Registered]) -> ExporterRegistrar:
        """A ``register`` callable for ``plugin`` that checks an exporter's shape and appends to ``staged``."""

        def register(exporter: Exporter) -> None:
            _check_named(exporter, "exporter", ("opset_range", "export"))
            if getattr(exporter, "framework", None) not in ("pt", "tf"):
                raise PluginError(f"exporter {exporter.name!r} must have framework 'pt' or 'tf'")
            staged.append(Registered(exporter, plugin))

        return register

    def add_exporter(self, registered: Registered) -> None:
        """Commit an exporter; a name taken by another plugin is an error naming both."""
        name = registered.value.name
        other = self.exporter_plugins.get(name)
        if other is not None and other != registered.plugin:
            raise DuplicateRegistrationError(
                f"exporter {name!r} is registered by both {other!r} and {registered.plugin!r}"
            )
        self.exporters[name] = registered.value
        self.exporter_plugins[name] = registered.plugin

    def exporter(self, name: str) -> Exporter:
        """The exporter registered as ``name`` (callers check names first: see ``pipeline.choose_exporter``)."""
        return self.exporters[name]

    def exporters_for(self, framework: str) -> list[Exporter]:
        """Exporters of ``framework`` (``"pt"`` or ``"tf"``), the default first."""
        return [exporter for exporter in self.exporters.values() if exporter.framework == framework]

    def step_registrar(self, plugin: str, staged: list[Registered]) -> StepRegistrar:
        """A ``register`` callable for ``plugin`` that checks a step's shape and appends to ``staged``."""

        def register(step: Step) -> None:
            _check_named(step, "step", ("run",))
            staged.append(Registered(step, plugin))

        return register

    def add_step(self, registered: Registered) -> None:
        """Commit a step; a name taken by another plugin is an error naming both."""
        name = registered.value.name
        other = self.step_plugins.get(name)
        if other is not None:
            raise DuplicateRegistrationError(f"step {name!r} is registered by both {other!r} and {registered.plugin!r}")
        self.steps.append(registered.value)
        self.step_plugins[name] = registered.plugin


def _check_named(value: object, kind: str, methods: Sequence[str]) -> None:
    """An exporter or step has a non-empty string name and the methods of its interface."""
    name = getattr(value, "name", None)
    if not isinstance(name, str) or not name:
        raise PluginError(f"{kind} {value!r} must have a non-empty string name")
    missing = [method for method in methods if not callable(getattr(value, method, None))]
    if missing:
        raise PluginError(f"{kind} {name!r} lacks {', '.join(missing)}()")
