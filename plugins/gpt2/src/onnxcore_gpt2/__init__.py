"""onnxcore plugin for GPT-2-shaped decoders: GPT-2, GPT-J, GPT-Neo, CodeGen, BLOOM and ImageGPT."""

from .config import (
    BloomOnnxConfig,
    CodeGenOnnxConfig,
    GPT2OnnxConfig,
    GPTJOnnxConfig,
    GPTNeoOnnxConfig,
    ImageGPTOnnxConfig,
)

__all__ = [
    "BloomOnnxConfig",
    "CodeGenOnnxConfig",
    "GPT2OnnxConfig",
    "GPTJOnnxConfig",
    "GPTNeoOnnxConfig",
    "ImageGPTOnnxConfig",
]
