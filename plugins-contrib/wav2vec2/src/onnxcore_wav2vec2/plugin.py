"""Registers wav2vec 2.0 and the two audio tasks it needs. Imports nothing heavy: only onnxcore's config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar, TaskRegistrar

from .config import Wav2Vec2OnnxConfig


@hookimpl
def register_tasks(register: TaskRegistrar) -> None:
    """Speech-to-text by CTC and clip classification, with Optimum's name for the first."""
    register("ctc", auto_model="AutoModelForCTC", synonyms=("automatic-speech-recognition-ctc",))
    register("audio-classification", auto_model="AutoModelForAudioClassification")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """wav2vec 2.0's encoder, its CTC head and its classification head."""
    register("wav2vec2", Wav2Vec2OnnxConfig, ("default", "ctc", "audio-classification"))
