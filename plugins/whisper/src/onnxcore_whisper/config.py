"""Whisper's ONNX contract: the transformers.onnx ``WhisperOnnxConfig`` inputs and outputs.

``input_features`` is (batch, mel bins, frames) with only the batch dynamic: Whisper's encoder accepts exactly
``2 * max_source_positions`` frames (3000 for real checkpoints; the feature extractor pads every clip to it).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from onnxcore import OnnxConfig, OnnxSeq2SeqConfigWithPast, OptimizerSpec
from onnxcore.config import framework_name, to_framework
from onnxcore.utils import compute_effective_axis_dimension, processor_parts


class WhisperOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """``input_features`` and ``decoder_input_ids``; with past, ``past_key_values.{i}.(decoder|encoder).*`` in
    and ``present.*`` out. Layers and heads come from ``encoder_layers``/``decoder_layers`` and
    ``encoder_attention_heads``/``decoder_attention_heads``."""

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """ONNX Runtime's BART fusions, which its own Whisper tooling uses for Whisper's encoder and decoders."""
        return OptimizerSpec("bart", self._config.encoder_attention_heads, self._config.d_model)

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common: OrderedDict[str, dict[int, str]] = OrderedDict(input_features={0: "batch"})
        if self.use_past:
            common["decoder_input_ids"] = {0: "batch"}
            self.fill_with_past_key_values_(common, direction="inputs")
        else:
            common["decoder_input_ids"] = {0: "batch", 1: "decoder_sequence"}
        return common

    @property
    def atol_for_validation(self) -> float:
        return 1e-3

    @property
    def encoder_length_is_dynamic(self) -> bool:
        """The encoder takes exactly ``frames`` mel frames, so its output length is fixed."""
        return False

    @property
    def frames(self) -> int:
        """The number of mel frames the encoder accepts: its two strided convolutions halve it once."""
        return 2 * self._config.max_source_positions

    def encoder_output_length(self, encoder_inputs: Mapping[str, Any]) -> int:
        return int(encoder_inputs["input_features"].shape[-1]) // 2

    def generate_dummy_inputs(  # type: ignore[override]
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework: Any = None,
        sampling_rate: int = 22050,
        time_duration: float = 5.0,
        frequency: int = 220,
    ) -> Mapping[str, Any]:
        """Mel features of a generated sine wave (``sampling_rate``, ``time_duration``, ``frequency``) from the
        processor's feature extractor, decoder ids from its tokenizer; from the model config without one."""
        feature_extractor, tokenizer = processor_parts(preprocessor)
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        if feature_extractor is None:
            features = np.random.default_rng(0).standard_normal((batch, self._config.num_mel_bins, self.frames))
            inputs: dict[str, Any] = {"input_features": to_framework(features.astype(np.float32), framework)}
        else:
            audio = self._generate_dummy_audio(batch, sampling_rate, time_duration, frequency)
            rate = feature_extractor.sampling_rate
            audio = [_resample(wave, sampling_rate, rate) for wave in audio]
            extracted = feature_extractor(audio, sampling_rate=rate, return_tensors=framework_name(framework))
            inputs = {"input_features": extracted["input_features"]}
        decoder_length = 1 if self.use_past else seq_length
        if tokenizer is not None:
            decoder = OnnxConfig.generate_dummy_inputs(
                self, tokenizer, batch_size=batch, seq_length=decoder_length, framework=framework
            )
            inputs["decoder_input_ids"] = decoder["input_ids"]
        else:
            length = compute_effective_axis_dimension(decoder_length, self.default_fixed_sequence)
            ids = np.random.default_rng(1).integers(0, self._config.vocab_size, size=(batch, length))
            inputs["decoder_input_ids"] = to_framework(ids.astype(np.int64), framework)
        if self.use_past:  # one new token, and a past whose length follows the requested one
            inputs["decoder_input_ids"] = inputs["decoder_input_ids"][:, :1]
            past_length = compute_effective_axis_dimension(seq_length, self.default_fixed_sequence) + 3
            encoder_length = self.encoder_output_length(inputs)
            inputs["past_key_values"] = self.dummy_past_key_values(
                batch, past_length, encoder_length, framework=framework
            )
        return inputs

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """Batch 3 of different sounds (the export used 2 copies of one): sine waves of 330, 660 and 990 Hz of
        1, 2 and 3 seconds with a little noise; random past values with past."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        feature_extractor, _ = processor_parts(preprocessor)
        batch = inputs["input_features"].shape[0]
        if feature_extractor is not None:
            rate = feature_extractor.sampling_rate
            rng = np.random.default_rng(4)
            audio = []
            for index in range(batch):
                times = np.arange(int(rate * (index + 1))) / rate
                wave = 0.5 * np.sin(2 * np.pi * 330 * (index + 1) * times) + 0.01 * rng.standard_normal(times.size)
                audio.append(wave.astype(np.float32))
            extracted = feature_extractor(audio, sampling_rate=rate, return_tensors=framework_name(framework))
            inputs["input_features"] = extracted["input_features"]
        return inputs


def _resample(wave: np.ndarray, rate: int, target_rate: int) -> np.ndarray:
    """``wave`` sampled at ``rate``, linearly resampled to ``target_rate`` (the feature extractor accepts only
    its own rate)."""
    if rate == target_rate:
        return wave.astype(np.float32)
    duration = len(wave) / rate
    times = np.arange(int(duration * target_rate)) / target_rate
    return np.interp(times, np.arange(len(wave)) / rate, wave).astype(np.float32)
