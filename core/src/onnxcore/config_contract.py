"""What every OnnxConfig promises, checked before an export: ``inputs`` and ``outputs`` map names to dynamic axes
(``{axis index: axis name}``). A plugin that breaks it is named, instead of a torch error no user can read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ConfigContractError


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
