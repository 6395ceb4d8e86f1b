"""``--feature auto`` on the installed plugins: each common architecture maps to the feature a user wants."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("model_type", "architecture", "feature"),
    [
        ("bert", "BertModel", "default"),
        ("bert", "BertForMaskedLM", "masked-lm"),
        ("bert", "BertForPreTraining", "masked-lm"),
        ("bert", "BertForSequenceClassification", "sequence-classification"),
        ("bert", "TFBertForTokenClassification", "token-classification"),
        ("gpt2", "GPT2Model", "default"),
        ("gpt2", "GPT2LMHeadModel", "causal-lm-with-past"),
        ("t5", "T5Model", "default"),
        ("t5", "T5ForConditionalGeneration", "seq2seq-lm-with-past"),
        ("vit", "ViTModel", "default"),
        ("vit", "ViTForImageClassification", "image-classification"),
        ("whisper", "WhisperModel", "default"),
        ("whisper", "WhisperForConditionalGeneration", "speech2seq-lm-with-past"),
    ],
)
def test_auto_feature_of_common_architectures(model_type: str, architecture: str, feature: str) -> None:
    from transformers import AutoConfig

    from onnxcore.pipeline import infer_feature
    from onnxcore.plugins import get_registry

    config = AutoConfig.for_model(model_type, architectures=[architecture])
    assert infer_feature(config, sorted(get_registry().require_model_type(model_type, model_type))) == feature
