"""wav2vec 2.0 through onnxcore's conformance suite: the two tasks this plugin registers and ``default``, both
exporters, with a real feature extractor (16 kHz, normalised)."""

from __future__ import annotations

from pathlib import Path

from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor

from onnxcore.testing.conformance import ConformanceSuite


class TestWav2Vec2Conformance(ConformanceSuite):
    model_type = "wav2vec2"
    distribution = "onnxcore-wav2vec2"
    # TFWav2Vec2Model exists (the default feature); ctc and audio-classification have no TF auto class
    tensorflow_xfail = {
        "default": "tf2onnx 1.17 cannot convert the PartitionedCall of TF wav2vec2's weight-normed positional conv",
    }

    def tiny_config(self) -> Wav2Vec2Config:
        return Wav2Vec2Config(
            vocab_size=32,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=48,
            conv_dim=(16, 16, 16),
            conv_stride=(5, 4, 4),
            conv_kernel=(10, 8, 8),
            num_conv_pos_embeddings=16,
            num_conv_pos_embedding_groups=4,
            classifier_proj_size=16,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        Wav2Vec2FeatureExtractor(sampling_rate=16000, do_normalize=True).save_pretrained(directory)
