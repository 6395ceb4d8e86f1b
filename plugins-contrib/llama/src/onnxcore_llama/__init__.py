"""onnxcore contrib plugin for Llama-family decoders."""

from .config import LlamaOnnxConfig

__all__ = ["LlamaOnnxConfig"]
