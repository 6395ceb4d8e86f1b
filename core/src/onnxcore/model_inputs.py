"""How the ONNX graph's flat inputs become the framework model's ``forward()`` arguments.

The ONNX contract is flat tensors (``past_key_values.{i}.key`` ...), while transformers models take ``Cache``
objects (the argument is ``past_key_values`` in 4.x and may be ``cache`` in 5.x) and, when generating, position
ids that ``generate()`` derives from the attention mask. The exporter's wrapper, validation and the generation
check all build the model call here, so the graph and its reference always see the same call; every decoder
plugin, including outside ones, gets this without writing any of it.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from .config import OnnxConfig
from .frameworks import framework_of

PAST_INPUT = "past_key_values"
PRESENT_OUTPUT = "present"  # a decoder's past as it comes out, fed back as PAST_INPUT
PAST_ARGUMENTS = ("past_key_values", "cache")


@contextlib.contextmanager
def config_overrides(model: Any, config: OnnxConfig) -> Iterator[None]:
    """``return_dict`` and the config's ``values_override`` on ``model.config`` while exporting or validating,
    then the caller's values back (transformers.onnx left the user's model config changed)."""
    values = {"return_dict": True, **(config.values_override or {})}
    saved = {key: getattr(model.config, key, None) for key in values}
    for key, value in values.items():
        setattr(model.config, key, value)
    try:
        yield
    finally:
        for key, value in saved.items():
            setattr(model.config, key, value)


def flatten_named(config: OnnxConfig, values: Mapping[str, Any]) -> dict[str, Any]:
    """Nested inputs or outputs (a past or present as a list of per-layer tuples) under the config's flat names."""
    flat: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, (list, tuple)):
            flat.update(config.flatten_output_collection_property(name, value))
        else:
            flat[name] = value
    return flat


def is_past_input(name: str) -> bool:
    """Whether ``name`` is one of the flat ``past_key_values.*`` inputs."""
    return name.startswith(PAST_INPUT + ".")


def call_parameters(model: Any) -> Mapping[str, inspect.Parameter]:
    """The parameters of ``model.forward`` (PyTorch) or ``model.call`` (TensorFlow)."""
    return inspect.signature(model.forward if hasattr(model, "forward") else model.call).parameters


def past_argument(model: Any) -> str:
    """The name under which ``model.forward`` takes its cache (``past_key_values`` or, in transformers 5, ``cache``)."""
    parameters = call_parameters(model)
    return next((name for name in PAST_ARGUMENTS if name in parameters), PAST_INPUT)


def model_argument_names(config: OnnxConfig, model: Any) -> list[str]:
    """The ``forward()`` arguments the config's inputs feed, in config order (past inputs become one argument)."""
    names: list[str] = []
    for name in config.inputs:
        argument = past_argument(model) if is_past_input(name) else name
        if argument not in names:
            names.append(argument)
    return names


def past_layers(config: OnnxConfig, flat: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The ``past_key_values.{i}.*`` inputs grouped per layer ``i``, each group in config order."""
    layers: dict[int, list[Any]] = {}
    for name in config.inputs:
        if is_past_input(name):
            layers.setdefault(int(name.split(".")[1]), []).append(flat[name])
    return [tuple(layers[index]) for index in sorted(layers)]


def cache_layers(cache: Any) -> list[tuple[Any, ...]]:
    """Per-layer tensors of a ``Cache`` (transformers 4.x and 5.x) or of a legacy tuple."""
    if hasattr(cache, "self_attention_cache") and not hasattr(cache, "to_legacy_cache"):
        return [
            own + cross
            for own, cross in zip(cache_layers(cache.self_attention_cache), cache_layers(cache.cross_attention_cache))
        ]
    if hasattr(cache, "to_legacy_cache"):
        return list(cache.to_legacy_cache())
    if hasattr(cache, "layers"):
        return [(layer.keys, layer.values) for layer in cache.layers]
    return list(cache)


def forward_arguments(config: OnnxConfig, model: Any, flat: Mapping[str, Any]) -> dict[str, Any]:
    """``model.forward`` (or a TF model's ``call``) keyword arguments for flat inputs named as the config's ONNX
    inputs."""
    ops = framework_of(model).ops
    arguments = {name: value for name, value in flat.items() if not is_past_input(name)}
    layers = past_layers(config, flat)
    if layers:
        arguments[past_argument(model)] = ops.past(layers)
    derive = config.position_ids_from_attention_mask and "position_ids" not in arguments
    if derive and "attention_mask" in arguments and "input_ids" in arguments:
        if "position_ids" in call_parameters(model):
            arguments["position_ids"] = ops.position_ids(arguments["attention_mask"], arguments["input_ids"])
    return arguments
