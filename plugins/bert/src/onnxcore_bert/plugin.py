"""Registers the BERT-shaped encoders with onnxcore. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import BertOnnxConfig, RobertaOnnxConfig
from .layoutlm import LayoutLMOnnxConfig
from .longformer import LongformerOnnxConfig
from .rembert import RemBertOnnxConfig

FEATURES = (
    "default",
    "masked-lm",
    "causal-lm",
    "sequence-classification",
    "multiple-choice",
    "token-classification",
    "question-answering",
)
#: transformers.onnx's features for encoders without a causal-LM head.
ENCODER_FEATURES = tuple(feature for feature in FEATURES if feature != "causal-lm")
#: transformers.onnx's LayoutLM features: no causal LM, no multiple choice (LayoutLM has no such head).
LAYOUTLM_FEATURES = ("default", "masked-lm", "sequence-classification", "token-classification")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """Each model type with the features transformers.onnx listed for it, in alphabetical order."""
    register("bert", BertOnnxConfig, FEATURES)
    register("ibert", RobertaOnnxConfig, ENCODER_FEATURES)
    register("layoutlm", LayoutLMOnnxConfig, LAYOUTLM_FEATURES)
    register("longformer", LongformerOnnxConfig, ENCODER_FEATURES)
    register("mobilebert", BertOnnxConfig, ENCODER_FEATURES)
    register("rembert", RemBertOnnxConfig, FEATURES)
    register("roberta", RobertaOnnxConfig, FEATURES)
    register("roformer", BertOnnxConfig, FEATURES)
    register("squeezebert", BertOnnxConfig, ENCODER_FEATURES)
    register("xlm", BertOnnxConfig, FEATURES)
    register("xlm-roberta", RobertaOnnxConfig, FEATURES)
