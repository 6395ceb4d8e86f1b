"""onnxcore plugin for BERT-shaped encoders."""

from .config import BertOnnxConfig, BertWithoutTokenTypesOnnxConfig, DebertaOnnxConfig, ExtraDummyInputs
from .layoutlm import LayoutLMOnnxConfig
from .longformer import LongformerOnnxConfig
from .rembert import RemBertOnnxConfig

__all__ = [
    "BertOnnxConfig",
    "BertWithoutTokenTypesOnnxConfig",
    "DebertaOnnxConfig",
    "ExtraDummyInputs",
    "LayoutLMOnnxConfig",
    "LongformerOnnxConfig",
    "RemBertOnnxConfig",
]
