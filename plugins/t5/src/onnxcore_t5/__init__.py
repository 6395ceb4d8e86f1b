"""onnxcore plugin for encoder-decoders: T5, and the BART-shaped BART, mBART, Marian and Blenderbot models."""

from .bart import BartDecoderOnnxConfig, BartOnnxConfig, MarianOnnxConfig
from .config import T5OnnxConfig

__all__ = ["BartDecoderOnnxConfig", "BartOnnxConfig", "MarianOnnxConfig", "T5OnnxConfig"]
