"""onnxcore plugin for encoder-decoders: T5, mT5, LongT5, and the BART-shaped BART, mBART, Marian, Blenderbot,
M2M-100 and BigBird-Pegasus models."""

from .bart import BartDecoderOnnxConfig, BartOnnxConfig, BigBirdPegasusOnnxConfig, MarianOnnxConfig
from .config import MT5OnnxConfig, T5OnnxConfig
from .longt5 import LongT5OnnxConfig

__all__ = [
    "BartDecoderOnnxConfig",
    "BartOnnxConfig",
    "BigBirdPegasusOnnxConfig",
    "LongT5OnnxConfig",
    "MT5OnnxConfig",
    "MarianOnnxConfig",
    "T5OnnxConfig",
]
