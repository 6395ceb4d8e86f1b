"""The BART-shaped contracts: caches sized by the decoder's layers and heads, the heads' encoder-only inputs."""

from __future__ import annotations

import pytest
from onnxcore_t5 import BartDecoderOnnxConfig, BartOnnxConfig
from test_bart_conformance import tiny_bart_config, tiny_blenderbot_small_config
from test_t5_contract import cache_names

from onnxcore.registry import ConfigRegistration
from onnxcore.seq2seq import layout_configs


def test_causal_lm_is_the_decoder_alone_with_one_cache_per_decoder_layer() -> None:
    config = BartDecoderOnnxConfig(
        tiny_blenderbot_small_config(encoder_layers=3, decoder_layers=2), "causal-lm", use_past=True
    )
    past = [f"past_key_values.{i}.{tensor}" for i in range(2) for tensor in ("key", "value")]
    assert list(config.inputs) == ["input_ids", "attention_mask", *past]
    assert config.inputs["attention_mask"] == {0: "batch", 1: "past_sequence + sequence"}
    assert config.inputs["past_key_values.1.value"] == {0: "batch", 2: "past_sequence"}
    assert list(config.outputs) == ["logits", *(name.replace("past_key_values", "present") for name in past)]
    assert config.past_shape(batch=2, past_length=7) == (2, 4, 7, 10)  # 4 decoder heads of a 40-wide model


def test_causal_lm_is_refused_by_the_encoder_decoder_config() -> None:
    with pytest.raises(ValueError, match="BartDecoderOnnxConfig"):
        BartOnnxConfig(tiny_bart_config(), task="causal-lm")


@pytest.mark.parametrize("task", ["sequence-classification", "question-answering"])
def test_heads_take_the_encoder_input_only(task: str) -> None:
    config = BartOnnxConfig(tiny_bart_config(), task=task)
    assert list(config.inputs) == ["input_ids", "attention_mask"]
    assert all(axes[1] == "sequence" for axes in config.outputs.values() if 1 in axes)


def test_seq2seq_cache_follows_the_decoder() -> None:
    """2 encoder layers, 1 decoder layer; 3 encoder heads, 4 decoder heads (the cross-attention's too)."""
    config = ConfigRegistration("bart", "seq2seq-lm-with-past", BartOnnxConfig, "t5").constructor()(tiny_bart_config())
    past = [name for name in config.inputs if name.startswith("past_key_values.")]
    assert past == cache_names(1)
    assert config.past_shape(batch=3, past_length=5) == (3, 4, 5, 12)
    files = layout_configs("split", config)
    assert list(files) == ["encoder_model.onnx", "decoder_model_merged.onnx"]
    merged = files["decoder_model_merged.onnx"]
    assert list(merged.inputs) == [
        "input_ids",
        "encoder_attention_mask",
        "encoder_hidden_states",
        *past,
        "use_cache_branch",
    ]
    assert list(merged.outputs) == ["logits", *cache_names(1, "present")]
