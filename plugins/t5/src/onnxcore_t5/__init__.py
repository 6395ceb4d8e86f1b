"""onnxcore plugin for encoder-decoders: T5, mT5, LongT5, and the BART-shaped BART, mBART, Marian, Blenderbot,
M2M-100 and BigBird-Pegasus models."""

from .bart import BartDecoderOnnxConfig, BartOnnxConfig, MarianOnnxConfig
from .config import MT5OnnxConfig, T5OnnxConfig

__all__ = ["BartDecoderOnnxConfig", "BartOnnxConfig", "MT5OnnxConfig", "MarianOnnxConfig", "T5OnnxConfig"]
