"""What every OnnxConfig promises, checked before an export: ``inputs`` and ``outputs`` map names to dynamic axes
(``{axis index: axis name}``). A plugin that breaks it is named, instead of a torch error no user can read.
And what an export asks of the checkpoint before any work is done (a ``-with-past`` export needs layers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ConfigContractError, UsageError


def check_declared_axes(config: Any) -> None:
    """Raise ConfigContractError unless ``config.inputs`` and ``config.outputs`` are non-empty mappings of names
    to ``{int: str}`` dynamic axes."""
    for kind in ("inputs", "outputs"):
        declared = getattr(config, kind)
        where = f"{type(config).__name__}.{kind}"
        if not isinstance(declared, Mapping):
            raise ConfigContractError(
                f"{where} is a {type(declared).__name__}, not a mapping of {kind[:-1]} names to their dynamic axes",
                config,
            )
        if not declared:
            raise ConfigContractError(f"{where} is empty; an export needs at least one {kind[:-1]}", config)
        for name, axes in declared.items():
            if not isinstance(name, str) or not isinstance(axes, Mapping):
                raise ConfigContractError(
                    f"{where}[{name!r}] is a {type(axes).__name__}; each name maps to its dynamic axes, like"
                    " {0: 'batch'}",
                    config,
                )
            for axis, label in axes.items():
                if isinstance(axis, bool) or not isinstance(axis, int) or not isinstance(label, str):
                    raise ConfigContractError(
                        f"{where}[{name!r}] maps {axis!r} to {label!r}; dynamic axes map an axis index (int) to"
                        " a name (str)",
                        config,
                    )


def check_axes_fit(config: Any, shapes: Mapping[str, Sequence[int]]) -> None:
    """Raise ConfigContractError for a dynamic axis that the input does not have (past its example's rank):
    the exporters would fail on it with a graph dump."""
    for name, axes in config.inputs.items():
        shape = shapes.get(name)
        beyond = [axis for axis in axes if shape is not None and not 0 <= axis < len(shape)]
        if beyond:
            raise ConfigContractError(
                f"{type(config).__name__}.inputs[{name!r}] declares dynamic axis {beyond[0]} ({axes[beyond[0]]!r}),"
                f" but {name} has {len(shape)} dimensions (example shape {tuple(shape)}); axes count from 0",
                config,
            )


def check_fixed_axes(
    config: Any, exported: Mapping[str, Sequence[int | str | None]], shapes: Mapping[str, Sequence[int]]
) -> None:
    """Raise ConfigContractError where an input axis the config left static (so the export fixed its size) gets
    another size in validation: the config forgot to declare that axis dynamic."""
    for name, dims in exported.items():
        shape, declared = shapes.get(name), config.inputs.get(name, {})
        if shape is None or len(shape) != len(dims):
            continue
        for axis, (dim, size) in enumerate(zip(dims, shape)):
            if isinstance(dim, int) and dim != size and axis not in declared:
                raise ConfigContractError(
                    f"{type(config).__name__}.inputs[{name!r}] does not declare axis {axis} of {name} dynamic, so"
                    f" the export fixed it at {dim}, but validation gives it {size}; add axis {axis} to its dynamic"
                    f" axes (like {{{axis}: 'sequence'}})",
                    config,
                )


_LAYER_FIELDS = ("n_layer", "num_hidden_layers", "num_layers", "decoder_layers", "num_decoder_layers", "n_layers")


def check_past_layers(config: Any, feature: str) -> None:
    """Raise UsageError for a ``-with-past`` export of a checkpoint with no (decoder) layers: there is no past to
    take or return, so the graph could not be what the feature promises."""
    if not getattr(config, "use_past", False):
        return
    layers = config.num_layers
    decoder_layers = layers[1] if isinstance(layers, tuple) else layers
    if decoder_layers > 0:
        return
    fields = config._config.to_dict()
    field = next((name for name in _LAYER_FIELDS if fields.get(name) == decoder_layers), "its layer count")
    raise UsageError(
        f"a {feature} export needs at least one layer to carry past key values, but the checkpoint's config.json"
        f" has {field} {decoder_layers}; export {feature.removesuffix('-with-past')} (without past), or a checkpoint"
        " with layers."
    )
