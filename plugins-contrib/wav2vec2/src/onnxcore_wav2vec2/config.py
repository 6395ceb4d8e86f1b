"""wav2vec 2.0's ONNX contract: raw audio (``input_values``) in; hidden states, CTC logits or class logits out."""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from onnxcore import OnnxConfig
from onnxcore.config import to_framework
from onnxcore.utils import compute_effective_axis_dimension

SECONDS = (1.2, 0.7, 0.45)  # validation clips: three lengths, so padding is exercised


class Wav2Vec2OnnxConfig(OnnxConfig):
    """``input_values`` (batch, samples) -> ``last_hidden_state``, ``logits`` per frame (``ctc``) or per clip."""

    _tasks_to_common_outputs = {
        **copy.deepcopy(OnnxConfig._tasks_to_common_outputs),
        "ctc": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "audio-classification": OrderedDict({"logits": {0: "batch"}}),
    }

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"input_values": {0: "batch", 1: "samples"}})

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        outputs = super().outputs
        if self.task == "default":  # frames, not tokens: the axis is named for what it counts
            outputs["last_hidden_state"] = {0: "batch", 1: "sequence"}
        return outputs

    @property
    def default_onnx_opset(self) -> int:
        return 14

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    def generate_dummy_inputs(  # type: ignore[override]
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        framework: Any = None,
        sampling_rate: int = 16000,
        time_duration: float = 1.0,
        frequency: int = 220,
        **kwargs: Any,
    ) -> Mapping[str, Any]:
        """Sine waves of ``time_duration`` seconds through the feature extractor (normalised, as the model takes
        them), or normal noise of that length without one."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        extractor = getattr(preprocessor, "feature_extractor", preprocessor)
        rate = getattr(extractor, "sampling_rate", sampling_rate)
        waves = [self._wave(rate, time_duration, frequency * (index + 1)) for index in range(batch)]
        return {"input_values": to_framework(self._extract(extractor, waves, rate), framework)}

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """Three sounds of 1.2, 0.7 and 0.45 seconds (the export used 1 s) at 330, 660 and 990 Hz, padded to the
        longest."""
        extractor = getattr(preprocessor, "feature_extractor", preprocessor)
        rate = getattr(extractor, "sampling_rate", 16000)
        waves = [self._wave(rate, seconds, 330 * (index + 1)) for index, seconds in enumerate(SECONDS)]
        return {"input_values": to_framework(self._extract(extractor, waves, rate), framework)}

    @staticmethod
    def _wave(rate: int, seconds: float, frequency: float) -> np.ndarray:
        times = np.arange(int(rate * seconds)) / rate
        return (0.5 * np.sin(2 * np.pi * frequency * times)).astype(np.float32)

    @staticmethod
    def _extract(extractor: Any, waves: list[np.ndarray], rate: int) -> np.ndarray:
        if extractor is None or not hasattr(extractor, "sampling_rate"):
            width = max(len(wave) for wave in waves)
            return np.stack([np.pad(wave, (0, width - len(wave))) for wave in waves])
        values = extractor(waves, sampling_rate=rate, padding=True, return_tensors="np")["input_values"]
        return values.astype(np.float32)
