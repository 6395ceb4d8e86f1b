"""``--optimize O1|O2|O3``: ONNX Runtime's transformer optimizer (``onnxruntime.transformers.optimizer``) on each
exported file, at the levels Optimum defines:

- ``O1``: ONNX Runtime's basic graph optimizations (constant folding, redundant nodes removed);
- ``O2``: its extended ones plus the transformer fusions (Attention, SkipLayerNormalization, BiasGelu,
  EmbedLayerNormalization, ...) for the model type the config's plugin names;
- ``O3``: O2 plus the GELU approximation (FastGelu), which changes the function slightly.

A plugin says which optimizer model type and options fit its configs by overriding
:meth:`onnxcore.OnnxConfig.optimizer_spec`; a config that names none gets O1 only, with a notice. The two decoders of
a merged decoder are optimized apart, before the merge: the fusions do not reach into ``If`` branches.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import ExportFailedError, UsageError, first_line

LEVELS = ("O1", "O2", "O3")
#: The tolerance O3's graphs are validated at, when the config's is tighter: tanh's GELU is within 5e-4 of erf's per
#: activation, and the difference carries through the layers.
O3_ATOL = 1e-2
#: The loggers of ONNX Runtime's Python tools, which log every fused node at INFO.
_TOOL_LOGGERS = ("onnxruntime", "onnxruntime.transformers", "onnxruntime.quantization", "")  # "": the root one


@dataclasses.dataclass(frozen=True)
class OptimizerSpec:
    """What ONNX Runtime's transformer optimizer needs to know about a config's graphs.

    ``model_type``: one of ``onnxruntime.transformers.optimizer.MODEL_TYPES`` (bert, gpt2, t5, bart, vit, ...);
    ``num_heads``/``hidden_size``: 0 lets the optimizer read them from the graph; ``options``: attributes of its
    ``FusionOptions`` to set (``{"enable_attention": False}``, say, where a fused op has no CPU kernel).
    """

    model_type: str
    num_heads: int = 0
    hidden_size: int = 0
    options: Mapping[str, bool] = dataclasses.field(default_factory=dict)


def check_level(level: str | None) -> None:
    """Refuse a level that is not one of :data:`LEVELS`, in one line that names them."""
    if level is not None and level not in LEVELS:
        raise UsageError(f"--optimize {level!r} is not a level; use one of {', '.join(LEVELS)}.")


def effective_level(level: str, spec: OptimizerSpec | None, config_name: str) -> str:
    """The level applied to a config's files: O1 for a config whose plugin names no optimizer model type."""
    if spec is None and level != "O1":
        warnings.warn(
            f"{config_name} names no ONNX Runtime optimizer model type (OnnxConfig.optimizer_spec), so --optimize"
            f" {level} applies O1 only (ONNX Runtime's basic graph optimizations, no transformer fusions).",
            stacklevel=2,
        )
        return "O1"
    return level


@contextlib.contextmanager
def quiet_tools() -> Iterator[None]:
    """ONNX Runtime's optimizer and quantizers log each node they touch; keep their warnings and errors only."""
    loggers = [logging.getLogger(name) for name in _TOOL_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.level, logging.ERROR))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # numpy's divide-by-zero in the quantizers' scales
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def optimize_file(path: Path, level: str, spec: OptimizerSpec | None) -> dict[str, Any]:
    """Optimize the inline file ``path`` in place at ``level`` (already reduced by :func:`effective_level`); returns
    what was done: the level, the optimizer model type and the count of each fused operator."""
    from onnxruntime.transformers.fusion_options import FusionOptions  # lazily: keeps `import onnxcore` light
    from onnxruntime.transformers.optimizer import optimize_model

    model_type = spec.model_type if spec is not None else "bert"  # O1 runs ONNX Runtime alone: the type is unused
    options = FusionOptions(model_type)
    for name, value in (spec.options if spec is not None else {}).items():
        if not hasattr(options, name):
            raise UsageError(f"the optimizer option {name!r} of {model_type} is not one of FusionOptions'.")
        setattr(options, name, value)
    options.enable_gelu_approximation = level == "O3"
    with quiet_tools():
        try:
            optimized = optimize_model(
                str(path),
                model_type=model_type,
                num_heads=spec.num_heads if spec else 0,
                hidden_size=spec.hidden_size if spec else 0,
                opt_level=1 if level == "O1" else 2,
                optimization_options=options,
                only_onnxruntime=level == "O1",
            )
        except (AssertionError, ValueError, RuntimeError, KeyError, IndexError) as exc:  # its checks are asserts
            raise ExportFailedError(
                f"ONNX Runtime's transformer optimizer failed on {path.name} at {level} ({type(exc).__name__}:"
                f" {first_line(exc) or 'an internal check'}); export without --optimize, or with a lower level."
            ) from exc
        fused = {name: count for name, count in optimized.get_fused_operator_statistics().items() if count}
        optimized.save_model_to_file(str(path))
    return {"level": level, "model_type": spec.model_type if spec else None, "fused": fused}
