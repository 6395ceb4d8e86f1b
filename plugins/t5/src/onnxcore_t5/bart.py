"""BART-shaped models' ONNX contracts: BART, mBART, Marian, Blenderbot, Blenderbot-Small (and any model with
``encoder_layers``/``decoder_layers``, ``encoder_``/``decoder_attention_heads`` and ``d_model``).

transformers.onnx served these with one ``BartOnnxConfig`` per model, covering the decoder-only ``causal-lm``
model too. Here the encoder-decoder features have :class:`BartOnnxConfig` and ``causal-lm`` has
:class:`BartDecoderOnnxConfig`: a ``...ForCausalLM`` is a decoder like GPT-2 (one graph, its own past, the
generation check on it), not an encoder-decoder, so it must not get the split layout or seq2seq caches.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING

from onnxcore import OnnxConfig, OnnxConfigWithPast, OnnxSeq2SeqConfigWithPast, OptimizerSpec, PatchingSpec

from .inputs import encoder_inputs, seq2seq_inputs

if TYPE_CHECKING:
    from transformers import PretrainedConfig

#: Heads that read the encoder input only: the model shifts ``input_ids`` right to make the decoder's input.
ENCODER_INPUT_TASKS = ("sequence-classification", "question-answering")


class BartOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """``default`` and ``seq2seq-lm``: ``input_ids``/``attention_mask``, ``decoder_input_ids``/
    ``decoder_attention_mask``; with past, ``past_key_values.{i}.(decoder|encoder).(key|value)`` per decoder layer.

    ``sequence-classification`` and ``question-answering`` take ``input_ids``/``attention_mask`` only, as
    transformers.onnx's exports actually did (it declared decoder inputs its dummy inputs never had).
    """

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """ONNX Runtime's BART fusions (Attention, SkipLayerNormalization, BiasGelu)."""
        return OptimizerSpec("bart", self._config.encoder_attention_heads, self._config.d_model)

    def __init__(
        self,
        config: PretrainedConfig,
        task: str = "default",
        patching_specs: list[PatchingSpec] | None = None,
        use_past: bool = False,
    ) -> None:
        if task == "causal-lm":
            raise ValueError("causal-lm exports the decoder alone: use BartDecoderOnnxConfig")
        super().__init__(config, task=task, patching_specs=patching_specs, use_past=use_past)

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return encoder_inputs() if self.task in ENCODER_INPUT_TASKS else seq2seq_inputs(self)

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        """The heads' outputs as transformers.onnx named them (QA logits over the input ``sequence``)."""
        if self.task in ENCODER_INPUT_TASKS:
            return OnnxConfig.outputs.fget(self)  # type: ignore[attr-defined]
        return super().outputs


def _not_compiling() -> bool:
    """``is_torchdynamo_compiling`` for modeling_bigbird_pegasus while exporting: False, as in eager mode."""
    return False


class BigBirdPegasusOnnxConfig(BartOnnxConfig):
    """BART's contract; while exporting, the decoder makes its all-ones attention mask as in eager mode.

    Without a decoder mask, BigBird-Pegasus's decoder builds one only when not compiling
    (``if attention_mask is None and not is_torchdynamo_compiling()``); under torch.export its causal mask then
    comes out one position longer than the keys ("The size of tensor a (s50) must match the size of tensor b
    (s50 + 1)"). The mask it makes otherwise is all ones of the decoder's length: the same graph eager runs.
    """

    def __init__(
        self,
        config: PretrainedConfig,
        task: str = "default",
        patching_specs: list[PatchingSpec] | None = None,
        use_past: bool = False,
    ) -> None:
        specs = list(patching_specs or [])
        try:
            from transformers.models.bigbird_pegasus import modeling_bigbird_pegasus  # lazily: it imports torch
        except ImportError:  # no torch: nothing is traced
            pass
        else:
            if hasattr(modeling_bigbird_pegasus, "is_torchdynamo_compiling"):
                specs.append(PatchingSpec(modeling_bigbird_pegasus, "is_torchdynamo_compiling", _not_compiling))
        super().__init__(config, task=task, patching_specs=specs, use_past=use_past)


class BartDecoderOnnxConfig(OnnxConfigWithPast):
    """``causal-lm`` (``BartForCausalLM`` and kin): ``input_ids``, ``attention_mask`` and, with past,
    ``past_key_values.{i}.key/value`` for each *decoder* layer, sized by the decoder's heads."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common: OrderedDict[str, Mapping[int, str]] = OrderedDict(input_ids={0: "batch", 1: "sequence"})
        if self.use_past:
            common["attention_mask"] = {0: "batch", 1: "past_sequence + sequence"}
            self.fill_with_past_key_values_(common, direction="inputs")
        else:
            common["attention_mask"] = {0: "batch", 1: "sequence"}
        return common

    @property
    def num_layers(self) -> int:
        return self._config.decoder_layers

    @property
    def num_attention_heads(self) -> int:
        return self._config.decoder_attention_heads


class MarianOnnxConfig(BartOnnxConfig):
    """Marian: BART's contract, validated at transformers.onnx's ``MarianOnnxConfig`` tolerance."""

    @property
    def atol_for_validation(self) -> float:
        return 1e-4
