"""T5's contract: the transformers.onnx names, T5's real head size and decoder layer count, the split files."""

from __future__ import annotations

from onnxcore_t5 import T5OnnxConfig
from test_t5_conformance import tiny_t5_config

from onnxcore.seq2seq import layout_configs


def test_with_past_names_follow_transformers_onnx_with_one_cache_per_decoder_layer() -> None:
    config = T5OnnxConfig(tiny_t5_config(num_layers=2, num_decoder_layers=3), task="seq2seq-lm", use_past=True)
    past = [
        f"past_key_values.{i}.{kind}.{tensor}"
        for i in range(3)
        for kind in ("decoder", "encoder")
        for tensor in ("key", "value")
    ]
    assert list(config.inputs) == ["input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", *past]
    assert list(config.outputs) == ["logits", *(name.replace("past_key_values", "present") for name in past)]
    assert config.past_shape(batch=2, past_length=7) == (2, 3, 7, 5)  # d_kv 5, not d_model 24 / 3 heads


def test_split_files_of_a_with_past_feature() -> None:
    config = T5OnnxConfig(tiny_t5_config(), task="seq2seq-lm", use_past=True)
    files = layout_configs("split", config)
    assert list(files) == ["encoder_model.onnx", "decoder_model.onnx", "decoder_with_past_model.onnx"]
    encoder, decoder, with_past = files.values()
    assert list(encoder.inputs) == ["input_ids", "attention_mask"] and list(encoder.outputs) == ["last_hidden_state"]
    assert list(decoder.inputs) == ["input_ids", "encoder_attention_mask", "encoder_hidden_states"]
    assert list(decoder.outputs)[:3] == ["logits", "present.0.decoder.key", "present.0.decoder.value"]
    assert len(decoder.outputs) == 1 + 2 * 4  # two decoder layers, self- and cross-attention key and value
    assert list(with_past.inputs)[:3] == ["input_ids", "encoder_attention_mask", "past_key_values.0.decoder.key"]
    assert list(with_past.outputs) == ["logits"] + [
        f"present.{i}.decoder.{tensor}" for i in range(2) for tensor in ("key", "value")
    ]
    assert with_past.outputs["present.1.decoder.key"] == {0: "batch", 2: "past_decoder_sequence + decoder_sequence"}


def test_split_without_past_has_no_cache() -> None:
    config = T5OnnxConfig(tiny_t5_config(), task="seq2seq-lm")
    files = layout_configs("split", config)
    assert list(files) == ["encoder_model.onnx", "decoder_model.onnx"]
    assert list(files["decoder_model.onnx"].outputs) == ["logits"]
