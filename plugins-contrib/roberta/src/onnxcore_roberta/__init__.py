"""onnxcore contrib plugin for RoBERTa."""

from .config import RobertaOnnxConfig

__all__ = ["RobertaOnnxConfig"]
