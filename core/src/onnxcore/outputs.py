"""Turn a framework model's output object into the flat ``name -> tensor`` mapping the ONNX graph returns.

Shared by the exporters (to return exactly the declared outputs) and by validation (to compare them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .config import OnnxConfig
from .errors import ConfigContractError
from .model_inputs import PAST_ARGUMENTS, cache_layers, flatten_named


def flatten_model_outputs(config: OnnxConfig, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Flatten nested outputs with the config's naming; the returned cache (``past_key_values``, or ``cache`` in
    transformers 5) becomes ``present.*``."""
    renamed = dict(
        ("present", cache_layers(value)) if name in PAST_ARGUMENTS else (name, value) for name, value in outputs.items()
    )
    return flatten_named(config, renamed)


def select_declared_outputs(config: OnnxConfig, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The declared outputs, in declared order; a declared output the model did not return is an error."""
    flat = flatten_model_outputs(config, outputs)
    missing = [name for name in config.outputs if name not in flat]
    if missing:
        raise ConfigContractError(
            f"{type(config).__name__} declares output {', '.join(missing)}, which the model does not return"
            f" (it returns {', '.join(flat)})",
            config,
        )
    return {name: flat[name] for name in config.outputs}
