"""Registers GPT-2-shaped decoders with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import BloomOnnxConfig, GPT2OnnxConfig, ImageGPTOnnxConfig

DECODER = ("default", "default-with-past", "causal-lm", "causal-lm-with-past")
FEATURES = (*DECODER, "sequence-classification", "token-classification")
GPTJ_FEATURES = (*DECODER, "question-answering", "sequence-classification")
GPT_NEO_FEATURES = (*DECODER, "sequence-classification")
IMAGEGPT_FEATURES = ("default", "image-classification")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """The features transformers.onnx listed for each type; CodeGen gets ``-with-past`` too, which
    transformers.onnx left out although its config handled a past."""
    register("gpt2", GPT2OnnxConfig, FEATURES)
    register("gptj", GPT2OnnxConfig, GPTJ_FEATURES)
    register("gpt-neo", GPT2OnnxConfig, GPT_NEO_FEATURES)
    register("codegen", GPT2OnnxConfig, DECODER)
    register("bloom", BloomOnnxConfig, FEATURES)
    register("imagegpt", ImageGPTOnnxConfig, IMAGEGPT_FEATURES)
