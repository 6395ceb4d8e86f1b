"""Hook specifications: the whole contract between onnxcore and its plugins.

A plugin is a module (or object) with functions marked ``@onnxcore.hookimpl`` whose names are hooks below,
advertised through the ``onnxcore`` entry-point group::

    [project.entry-points.onnxcore]
    bert = "onnxcore_bert.plugin"

Hooks are declarative: each is handed a ``register`` callable and calls it once per thing it provides.
Core calls every implementation on its own, so a plugin that raises is reported and the others still load.
As with every pluggy hook, an implementation may accept fewer arguments than the spec names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .registry import ConfigRegistrar, ExporterRegistrar, StepRegistrar, TaskRegistrar

PROJECT_NAME = "onnxcore"

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = ["hookimpl", "hookspec", "register_exporters", "register_onnx_configs", "register_steps", "register_tasks"]


@hookspec
def register_tasks(register: TaskRegistrar) -> None:
    """Register export tasks (the part of a feature name before ``-with-past``) and how to load their models.

    Core's built-in tasks (``default``, ``masked-lm``, ``causal-lm``, ``seq2seq-lm``, ...) are registered by
    core's own default plugin through this hook. Add one only for a task no built-in covers.

    :param register: ``register(name, *, auto_model=None, tf_auto_model=None, synonyms=())``.

        - ``name``: the transformers.onnx-style task name, e.g. ``"audio-classification"``.
        - ``auto_model``: the PyTorch class that loads a checkpoint for the task, as a transformers attribute
          name (``"AutoModelForAudioClassification"``) or a ``"module:Class"`` path.
        - ``tf_auto_model``: the same for TensorFlow, or None when the task has no TF class.
        - ``synonyms``: other names users may type for it (e.g. Optimum's task names).

        A name already registered by another plugin is an error that names both plugins.

    Use in a plugin::

        @onnxcore.hookimpl
        def register_tasks(register):
            register("audio-classification", auto_model="AutoModelForAudioClassification")
    """


@hookspec
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """Register the OnnxConfig class of a model type and the features it exports.

    Called after every plugin's :func:`register_tasks`, so features may use any registered task.

    :param register: ``register(model_type, onnx_config_cls, features, *, model_class=None,
        tf_model_class=None)``.

        - ``model_type``: ``PretrainedConfig.model_type`` of the checkpoints it handles, e.g. ``"bert"``.
        - ``onnx_config_cls``: a subclass of :class:`onnxcore.OnnxConfig`; ``-with-past`` features need an
          :class:`onnxcore.OnnxConfigWithPast`.
        - ``features``: feature names (``"default"``, ``"causal-lm-with-past"``...) or their synonyms.
        - ``model_class`` / ``tf_model_class``: the PyTorch / TensorFlow class that loads these checkpoints for
          these features, as a transformers name or ``"module:Class"``, for a model type the task's auto class
          does not map (no ``AutoModelForCausalLM`` loads Flaubert: ``model_class="FlaubertWithLMHeadModel"``).
          None, the default, loads with the task's auto class.

        Registering a ``(model_type, feature)`` pair that another plugin also registers is reported as a
        conflict naming both plugins; the user picks one with ``ONNXCORE_PREFER_PLUGINS``.

    Use in a plugin::

        @onnxcore.hookimpl
        def register_onnx_configs(register):
            register("bert", BertOnnxConfig, ["default", "masked-lm", "sequence-classification"])
    """


@hookspec
def register_exporters(register: ExporterRegistrar) -> None:
    """Register ONNX export backends, selectable with ``--exporter NAME``.

    Core's own (``torchscript``, ``dynamo``, ``tf2onnx``) are registered by core's default plugin through this
    hook, first: the first exporter of a framework is its default.

    :param register: ``register(exporter)``.

        - ``exporter``: an instance of a subclass of :class:`onnxcore.exporters.base.Exporter`, with its
          ``name``, ``framework`` (``"pt"`` or ``"tf"``), ``summary``, ``attention`` (the
          ``attn_implementation`` the model is loaded with), ``patches``, ``opset_range()`` and ``export()``.

        A name another plugin registered is an error naming both plugins.

    Use in a plugin::

        @onnxcore.hookimpl
        def register_exporters(register):
            register(MyExporter())
    """


@hookspec
def register_steps(register: StepRegistrar) -> None:
    """Register post-export steps: each runs on the staged folder after every file is exported and before
    validation, so validation and the manifest see what it wrote.

    Steps run in registration order (core's first); a step that does not apply to an export returns without
    doing anything.

    :param register: ``register(step)``.

        - ``step``: an instance of a subclass of :class:`onnxcore.steps.base.Step`, with its ``name`` and
          ``run(context)``, where ``context`` is a :class:`onnxcore.steps.base.StepContext` (the staged
          folder, each ONNX file's OnnxConfig, the opset, exporter, framework and feature).

        A name another plugin registered is an error naming both plugins.

    Use in a plugin::

        @onnxcore.hookimpl
        def register_steps(register):
            register(MyStep())
    """
