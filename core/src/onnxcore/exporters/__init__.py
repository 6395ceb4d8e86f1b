"""Export a loaded model to ONNX with the backend of its framework."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..config import OnnxConfig
from ..errors import FrameworkError
from .pytorch import DEFAULT_EXPORTER, EXPORTERS, export_pytorch

__all__ = ["DEFAULT_EXPORTER", "EXPORTERS", "export", "export_pytorch"]


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
    ``"dynamo"``) and ``external_data`` (None: by size).
    """
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
    if type(model).__module__.startswith("transformers.models") and type(model).__name__.startswith("TF"):
        from .tensorflow import export_tensorflow

        return export_tensorflow(preprocessor, model, config, opset, output)
    raise FrameworkError(
        f"cannot export a {type(model).__name__}: onnxcore exports PyTorch models (TensorFlow support is not"
        " available yet)."
    )
