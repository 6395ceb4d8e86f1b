"""onnxcore contrib plugin for wav2vec 2.0."""

from .config import Wav2Vec2OnnxConfig

__all__ = ["Wav2Vec2OnnxConfig"]
