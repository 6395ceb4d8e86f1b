"""T5's contract: the transformers.onnx names, T5's real head size and decoder layer count, the split files."""

from __future__ import annotations

from onnxcore_t5 import T5OnnxConfig
from test_t5_conformance import tiny_t5_config

from onnxcore.seq2seq import layout_configs, traced_configs


def cache_names(layers: int, prefix: str = "past_key_values") -> list[str]:
    """``{prefix}.{i}.(decoder|encoder).(key|value)`` for ``layers`` decoder layers, in the contract's order."""
    kinds = ("decoder", "encoder")
    return [f"{prefix}.{i}.{kind}.{tensor}" for i in range(layers) for kind in kinds for tensor in ("key", "value")]


def test_with_past_names_follow_transformers_onnx_with_one_cache_per_decoder_layer() -> None:
    config = T5OnnxConfig(tiny_t5_config(num_layers=2, num_decoder_layers=3), task="seq2seq-lm", use_past=True)
    past = cache_names(3)
    assert list(config.inputs) == ["input_ids", "attention_mask", "decoder_input_ids", "decoder_attention_mask", *past]
    assert list(config.outputs) == ["logits", *cache_names(3, "present")]
    assert config.past_shape(batch=2, past_length=7) == (2, 3, 7, 5)  # d_kv 5, not d_model 24 / 3 heads


def test_split_files_of_a_with_past_feature_are_the_encoder_and_the_merged_decoder() -> None:
    config = T5OnnxConfig(tiny_t5_config(), task="seq2seq-lm", use_past=True)
    files = layout_configs("split", config)
    assert list(files) == ["encoder_model.onnx", "decoder_model_merged.onnx"]  # no decoder(_with_past)_model.onnx
    encoder, merged = files.values()
    assert list(encoder.inputs) == ["input_ids", "attention_mask"] and list(encoder.outputs) == ["last_hidden_state"]
    assert list(merged.inputs) == [
        "input_ids",
        "encoder_attention_mask",
        "encoder_hidden_states",
        *cache_names(2),  # two decoder layers
        "use_cache_branch",
    ]
    assert merged.inputs["use_cache_branch"] == {}  # a fixed shape: [1]
    # the first step feeds an empty past, whatever shape a runtime makes it: every past axis is symbolic
    assert merged.inputs["past_key_values.1.decoder.value"] == {
        0: "batch",
        1: "past_heads",
        2: "past_decoder_sequence",
        3: "past_head_size",
    }
    assert merged.inputs["past_key_values.0.encoder.key"][2] == "past_encoder_sequence"
    assert list(merged.outputs) == ["logits", *cache_names(2, "present")]
    assert merged.outputs["present.1.decoder.key"] == {0: "batch", 2: "past_decoder_sequence + decoder_sequence"}
    # empty on later steps, so its heads and head size are symbolic too
    assert merged.outputs["present.0.encoder.key"] == {
        0: "batch",
        1: "present_heads",
        2: "encoder_sequence",
        3: "present_head_size",
    }


def test_the_merged_decoder_is_traced_as_its_two_branches_and_checked_through_the_merged_file() -> None:
    config = T5OnnxConfig(tiny_t5_config(), task="seq2seq-lm", use_past=True)
    encoder, decoder, with_past = traced_configs("split", config)
    assert [part.file_name for part in (encoder, decoder, with_past)] == [
        "encoder_model.onnx",
        "decoder_model.onnx",
        "decoder_with_past_model.onnx",
    ]  # traced to these, merged into decoder_model_merged.onnx after
    assert [part.check_name for part in (encoder, decoder, with_past)] == [
        "encoder_model.onnx",
        "decoder_model_merged.onnx",
        "decoder_model_merged.onnx#with_past",
    ]
    assert [part.checked_file for part in (decoder, with_past)] == ["decoder_model_merged.onnx"] * 2
    assert not encoder.merged and decoder.merged and with_past.merged
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
    assert list(files["decoder_model.onnx"].inputs) == ["input_ids", "encoder_attention_mask", "encoder_hidden_states"]
    assert list(files["decoder_model.onnx"].outputs) == ["logits"]
    traced = traced_configs("split", config)  # nothing to merge: each file traced and checked as itself
    assert [(part.file_name, part.check_name, part.merged) for part in traced] == [
        ("encoder_model.onnx", "encoder_model.onnx", False),
        ("decoder_model.onnx", "decoder_model.onnx", False),
    ]
    assert "use_cache_branch" not in traced[1].inputs
