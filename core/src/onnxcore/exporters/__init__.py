"""Export a loaded model to ONNX with the backend of its framework."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import OnnxConfig
from ..errors import FrameworkError
from ..frameworks import is_tensorflow_model
from .opsets import TF_EXPORTER
from .pytorch import DEFAULT_EXPORTER, EXPORTERS, export_pytorch

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

    Same signature as ``transformers.onnx.export`` plus keyword-only ``exporter`` (``"torchscript"`` or
    ``"dynamo"``; TensorFlow models always go through tf2onnx) and ``external_data`` (None: by size; PyTorch).
    """
    if is_tensorflow_model(model):
        from .tensorflow import export_tensorflow

        return export_tensorflow(tokenizer if tokenizer is not None else preprocessor, model, config, opset, output)
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
