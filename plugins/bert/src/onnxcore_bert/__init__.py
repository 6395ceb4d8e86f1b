"""onnxcore plugin for BERT-shaped encoders."""

from .config import BertOnnxConfig, BertWithoutTokenTypesOnnxConfig, DebertaOnnxConfig

__all__ = ["BertOnnxConfig", "BertWithoutTokenTypesOnnxConfig", "DebertaOnnxConfig"]
