"""The transformers.onnx config API, kept: utilities, OnnxConfig, OnnxConfigWithPast, Seq2Seq, PatchingSpec."""

from __future__ import annotations

import math

import pytest
from throwaway import TinyTextOnnxConfig
from transformers import BertConfig, GPT2Config

from onnxcore import (
    EXTERNAL_DATA_FORMAT_SIZE_LIMIT,
    OnnxConfig,
    OnnxConfigWithPast,
    OnnxSeq2SeqConfigWithPast,
    ParameterFormat,
    PatchingSpec,
    compute_serialized_parameters_size,
)
from onnxcore.utils import compute_effective_axis_dimension


class PastConfig(OnnxConfigWithPast):
    @property
    def inputs(self):
        inputs = {"input_ids": {0: "batch", 1: "sequence"}}
        if self.use_past:
            self.fill_with_past_key_values_(inputs, direction="inputs")
        return inputs


def test_compute_effective_axis_dimension() -> None:
    assert compute_effective_axis_dimension(-1, 2, 0) == 2
    assert compute_effective_axis_dimension(0, 2, 0) == 2
    assert compute_effective_axis_dimension(0, 8, 2) == 6
    assert compute_effective_axis_dimension(0, 8, 3) == 5
    assert compute_effective_axis_dimension(9, 8, 2) == 7


def test_serialized_size_and_external_data_threshold() -> None:
    assert compute_serialized_parameters_size(2, ParameterFormat.Float) == 2 * ParameterFormat.Float.size == 8
    limit = EXTERNAL_DATA_FORMAT_SIZE_LIMIT
    for small in (0, 1, (limit - 1) // ParameterFormat.Float.size):
        assert not OnnxConfig.use_external_data_format(small)
    for large in (limit, (limit + 1) // ParameterFormat.Float.size):
        assert OnnxConfig.use_external_data_format(large)


def test_flatten_output_collection_property() -> None:
    assert OnnxConfig.flatten_output_collection_property("past_key", [[0], [1], [2]]) == {
        "past_key.0": 0,
        "past_key.1": 1,
        "past_key.2": 2,
    }


def test_defaults_and_outputs() -> None:
    config = TinyTextOnnxConfig(BertConfig(), task="question-answering")
    assert (config.default_batch_size, config.default_sequence_length, config.default_num_choices) == (2, 8, 4)
    assert config.default_onnx_opset == 11 and math.isclose(config.atol_for_validation, 1e-5)
    assert list(config.outputs) == ["start_logits", "end_logits"]
    assert config.values_override == {"use_cache": False}
    assert config.is_torch_support_available
    with pytest.raises(ValueError, match="not a supported task"):
        TinyTextOnnxConfig(BertConfig(), task="no-such-task")


def test_with_past_switches_use_cache_and_adds_present_outputs() -> None:
    gpt2 = GPT2Config(n_layer=2, n_head=2, n_embd=8)
    gpt2.num_layers = gpt2.n_layer  # GPT2Config maps num_attention_heads but not num_layers
    plain = PastConfig.from_model_config(gpt2, task="causal-lm")
    past = PastConfig.with_past(gpt2, task="causal-lm")
    assert (plain.use_past, past.use_past) == (False, True)
    assert plain.values_override == {"use_cache": False} and past.values_override == {"use_cache": True}
    # decoders classify from the last non-pad token: a pad id (the eos one) while exporting when the model has none
    gpt2.pad_token_id, gpt2.eos_token_id = None, 7
    classifier = PastConfig.from_model_config(gpt2, task="sequence-classification")
    assert classifier.values_override == {"use_cache": False, "pad_token_id": 7}
    assert list(past.outputs) == ["logits", "present.0.key", "present.0.value", "present.1.key", "present.1.value"]
    assert past.outputs["present.1.value"] == {0: "batch", 2: "past_sequence + sequence"}
    assert list(past.inputs)[1:] == [
        "past_key_values.0.key",
        "past_key_values.0.value",
        "past_key_values.1.key",
        "past_key_values.1.value",
    ]


def test_seq2seq_axes_and_layers() -> None:
    class Seq2Seq(OnnxSeq2SeqConfigWithPast):
        inputs = {}

    bart_like = BertConfig(encoder_layers=3, decoder_layers=2, encoder_attention_heads=2, decoder_attention_heads=2)
    config = Seq2Seq.with_past(bart_like, task="seq2seq-lm")
    assert config.num_layers == (3, 2)
    outputs = config.outputs
    assert outputs["logits"] == {0: "batch", 1: "decoder_sequence"}
    assert outputs["present.1.decoder.key"] == {0: "batch", 2: "past_decoder_sequence + sequence"}
    assert outputs["present.1.encoder.value"] == {0: "batch", 2: "past_encoder_sequence"}
    assert "present.2.decoder.key" not in outputs


def test_patching_spec_patches_and_restores() -> None:
    class Target:
        @staticmethod
        def op() -> str:
            return "original"

    spec = PatchingSpec(Target, "op", lambda: "patched")
    config = TinyTextOnnxConfig(BertConfig(), patching_specs=[spec])
    config.patch_ops()
    assert Target.op() == "patched"
    config.restore_ops()
    assert Target.op() == "original"


def test_dummy_inputs_from_tokenizer_and_from_config(tiny_bert) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    config = TinyTextOnnxConfig(BertConfig(vocab_size=len(tokenizer)))
    from_tokenizer = config.generate_dummy_inputs(tokenizer, framework="pt")
    assert tuple(from_tokenizer["input_ids"].shape) == (2, 8)
    assert from_tokenizer["input_ids"][0, 1].item() == tokenizer.unk_token_id
    from_config = config.generate_dummy_inputs(None, batch_size=3, seq_length=5, framework="pt")
    assert {name: tuple(value.shape) for name, value in from_config.items()} == {
        "input_ids": (3, 5),
        "attention_mask": (3, 5),
        "token_type_ids": (3, 5),
    }
    choice = TinyTextOnnxConfig(BertConfig(), task="multiple-choice")
    assert tuple(choice.generate_dummy_inputs(tokenizer, framework="pt")["input_ids"].shape) == (2, 4, 15)
    with pytest.raises(ValueError, match="both a tokenizer and a preprocessor"):
        config.generate_dummy_inputs(tokenizer, tokenizer=tokenizer)


def test_validation_inputs_differ_from_export_shapes(tiny_bert) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_bert)
    config = TinyTextOnnxConfig(BertConfig(vocab_size=len(tokenizer)))
    inputs = config.generate_validation_inputs(tokenizer, framework="pt")
    assert tuple(inputs["input_ids"].shape) == (3, 9)
    assert inputs["attention_mask"][-1, -2:].tolist() == [0, 0]
    assert len(set(inputs["input_ids"][:, 1:-1].flatten().tolist())) > 3
