"""Whisper through onnxcore's conformance suite: every feature, both exporters, both layouts, a real processor."""

from __future__ import annotations

from pathlib import Path

from transformers import WhisperConfig

from onnxcore.testing.checkpoints import save_whisper_processor
from onnxcore.testing.conformance import ConformanceSuite

MEL_BINS = 6


def tiny_whisper_config(**overrides: object) -> WhisperConfig:
    """6 mel bins, 1-second chunks (100 frames, so 50 source positions), 3 encoder and 2 decoder layers, 2 encoder
    and 3 decoder heads of a 24-wide model; token ids as the processor's tokenizer makes them."""
    settings: dict[str, object] = dict(
        vocab_size=305,
        num_mel_bins=MEL_BINS,
        d_model=24,
        encoder_layers=3,
        decoder_layers=2,
        encoder_attention_heads=2,
        decoder_attention_heads=3,
        encoder_ffn_dim=30,
        decoder_ffn_dim=30,
        max_source_positions=50,
        max_target_positions=48,
        decoder_start_token_id=300,
        bos_token_id=0,
        eos_token_id=0,
        pad_token_id=0,
    )
    return WhisperConfig(**(settings | overrides))


class TestWhisperConformance(ConformanceSuite):
    model_type = "whisper"
    distribution = "onnxcore-whisper"

    def tiny_config(self) -> WhisperConfig:
        return tiny_whisper_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_whisper_processor(directory, num_mel_bins=MEL_BINS, chunk_length=1, vocab_size=300)
