"""onnxcore plugin for Whisper."""

from .config import WhisperOnnxConfig

__all__ = ["WhisperOnnxConfig"]
