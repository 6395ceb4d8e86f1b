"""onnxcore plugin for BERT-shaped encoders."""

from .config import BertOnnxConfig, ExtraDummyInputs, RobertaOnnxConfig
from .layoutlm import LayoutLMOnnxConfig
from .longformer import LongformerOnnxConfig
from .rembert import RemBertOnnxConfig

__all__ = [
    "BertOnnxConfig",
    "ExtraDummyInputs",
    "LayoutLMOnnxConfig",
    "LongformerOnnxConfig",
    "RemBertOnnxConfig",
    "RobertaOnnxConfig",
]
