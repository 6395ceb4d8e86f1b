"""The text encoder-decoder inputs transformers.onnx gave T5 and BART, shared by their configs."""

from __future__ import annotations

from collections import OrderedDict

from onnxcore import OnnxSeq2SeqConfigWithPast


def encoder_inputs() -> OrderedDict[str, dict[int, str]]:
    """``input_ids`` and ``attention_mask`` over the ``encoder_sequence``."""
    return OrderedDict(
        [
            ("input_ids", {0: "batch", 1: "encoder_sequence"}),
            ("attention_mask", {0: "batch", 1: "encoder_sequence"}),
        ]
    )


def seq2seq_inputs(
    config: OnnxSeq2SeqConfigWithPast, mask_with_past: str = "encoder_sequence"
) -> OrderedDict[str, dict[int, str]]:
    """Encoder inputs, ``decoder_input_ids``/``decoder_attention_mask`` and, with past, the config's
    ``past_key_values.*``. With past, ``decoder_input_ids`` has no dynamic length (a generation step feeds one
    token) and the encoder mask's length is named ``mask_with_past`` (T5's config named it differently)."""
    common = encoder_inputs()
    if config.use_past:
        common["attention_mask"][1] = mask_with_past
        common["decoder_input_ids"] = {0: "batch"}
        common["decoder_attention_mask"] = {0: "batch", 1: "past_decoder_sequence + sequence"}
        config.fill_with_past_key_values_(common, direction="inputs")
    else:
        common["decoder_input_ids"] = {0: "batch", 1: "decoder_sequence"}
        common["decoder_attention_mask"] = {0: "batch", 1: "decoder_sequence"}
    return common
