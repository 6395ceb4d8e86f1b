"""Export a loaded model to ONNX with a registered exporter of its framework (the public ``export``)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from ..config import OnnxConfig
from ..errors import FrameworkError
from ..frameworks import is_tensorflow_model
from ..plugins import get_registry
from .builtin import DEFAULT_EXPORTER, EXPORTERS, TF_EXPORTER

__all__ = ["DEFAULT_EXPORTER", "EXPORTERS", "TF_EXPORTER", "export", "export_pytorch"]


def export(
    preprocessor: Any,
    model: Any,
    config: OnnxConfig,
    opset: int,
    output: Path,
    tokenizer: Any = None,
    device: str = "cpu",
    *,
    exporter: str = DEFAULT_EXPORTER,
    external_data: bool | None = None,
) -> tuple[list[str], list[str]]:
    """Export ``model`` to ``output`` as ``config`` declares; returns (input names, output names).

    Same signature as ``transformers.onnx.export`` plus keyword-only ``exporter`` (a registered PyTorch
    exporter: ``"torchscript"``, ``"dynamo"``...; TensorFlow models go through ``exporter`` when it is a TF one,
    else through tf2onnx) and ``external_data`` (None: by size; PyTorch).
    """
    if is_tensorflow_model(model):
        chosen = get_registry().exporters.get(exporter)
        if chosen is None or chosen.framework != "tf":
            chosen = get_registry().exporter(TF_EXPORTER)
        return chosen.export(tokenizer if tokenizer is not None else preprocessor, model, config, opset, output)
    try:
        import torch
    except ImportError:
        torch = None  # type: ignore[assignment]
    if torch is not None and isinstance(model, torch.nn.Module):
        return export_pytorch(
            preprocessor,
            model,
            config,
            opset,
            output,
            tokenizer=tokenizer,
            device=device,
            exporter=exporter,
            external_data=external_data,
        )
    raise FrameworkError(f"cannot export a {type(model).__name__}: onnxcore exports PyTorch and TensorFlow models.")


def export_pytorch(
    preprocessor: Any,
    model: Any,
    config: OnnxConfig,
    opset: int,
    output: Path,
    tokenizer: Any = None,
    device: str = "cpu",
    *,
    exporter: str = DEFAULT_EXPORTER,
    external_data: bool | None = None,
) -> tuple[list[str], list[str]]:
    """Export a PyTorch model with the registered PyTorch exporter ``exporter``; see :func:`export`."""
    names = [candidate.name for candidate in get_registry().exporters_for("pt")]
    if exporter not in names:
        raise ValueError(f"exporter must be one of {', '.join(names)}, got {exporter!r}")
    if tokenizer is not None:
        warnings.warn("The `tokenizer` argument is deprecated; use `preprocessor`.", FutureWarning, stacklevel=2)
        preprocessor = tokenizer
    chosen = get_registry().exporter(exporter)
    return chosen.export(preprocessor, model, config, opset, output, device=device, external_data=external_data)
