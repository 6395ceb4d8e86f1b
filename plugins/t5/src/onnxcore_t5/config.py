"""T5's ONNX contract: the transformers.onnx ``T5OnnxConfig`` inputs and outputs, with T5's real cache sizes.

LongT5 shares it (its local and transient-global attention is inside the encoder); mT5 only validates at a
wider tolerance."""

from __future__ import annotations

from collections.abc import Mapping

from onnxcore import OnnxSeq2SeqConfigWithPast, OptimizerSpec

from .inputs import seq2seq_inputs


class T5OnnxConfig(OnnxSeq2SeqConfigWithPast):
    """Encoder ``input_ids``/``attention_mask``, decoder ``decoder_input_ids``/``decoder_attention_mask``;
    with past, ``past_key_values.{i}.(decoder|encoder).(key|value)`` in and ``present.*`` out."""

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """ONNX Runtime's BERT-type fusions without Attention (SimplifiedLayerNormalization and its Skip form, for T5's
        RMS norm): its own ``t5`` type always fuses RelativePositionBias, which the CPU provider cannot run. No
        heads or hidden size: they serve the Attention fusion only, and T5's d_model need not be heads x d_kv."""
        return OptimizerSpec("bert", options={"enable_attention": False, "enable_embed_layer_norm": False})

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return seq2seq_inputs(self, mask_with_past="past_encoder_sequence + sequence")

    @property
    def num_layers(self) -> tuple[int, int]:  # type: ignore[override]
        """(encoder, decoder) layers: T5 may have more decoder layers (``num_decoder_layers``)."""
        return (self._config.num_layers, self._config.num_decoder_layers)

    @property
    def num_attention_heads(self) -> tuple[int, int]:  # type: ignore[override]
        return (self._config.num_heads, self._config.num_heads)

    @property
    def attention_head_size(self) -> int:
        """T5's ``d_kv``, which need not be ``d_model // num_heads``."""
        return self._config.d_kv

    @property
    def default_onnx_opset(self) -> int:
        return 13


class MT5OnnxConfig(T5OnnxConfig):
    """mT5: T5's contract, validated at the tolerance transformers.onnx's ``MT5OnnxConfig`` gave it."""

    @property
    def atol_for_validation(self) -> float:
        return 5e-4
