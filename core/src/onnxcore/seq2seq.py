"""The split layout of an encoder-decoder (seq2seq) export: the files a generation loop runs.

transformers.onnx wrote one graph, which reruns the encoder for every generated token. ``--layout split`` writes
the files of Optimum's layout, with its file and input names:

- ``encoder_model.onnx``: the encoder's inputs -> ``last_hidden_state``;
- ``decoder_model_merged.onnx`` (``-with-past`` features): every decoding step in one file, the weights stored
  once (:mod:`onnxcore.exporters.merged_decoder`). It takes ``input_ids`` (decoder tokens), ``encoder_attention_mask``,
  ``encoder_hidden_states``, ``past_key_values.{i}.(decoder|encoder).(key|value)`` and ``use_cache_branch``; on the
  first step the past has length 0 and ``use_cache_branch`` is false, after it the new tokens come with the
  fed-back past. It returns the task's outputs and ``present.*`` (on later steps ``present.*.encoder.*`` is empty:
  the cross-attention past never changes);
- ``decoder_model.onnx`` (features without past): decoder tokens, ``encoder_attention_mask`` and
  ``encoder_hidden_states`` -> the task's outputs.

The merged file is made from two traced graphs, the first-step decoder and the decoder with past (each described
by an OnnxConfig derived from the plugin's :class:`OnnxSeq2SeqConfigWithPast`, and validated on its own inputs
through the merged file). Each is traced through a module that calls the whole model with the encoder output
given, so the model's own head (T5's rescaled tied embeddings, Whisper's projection) is in the graph. Any
encoder-decoder plugin gets this layout from its single-graph config, without code of its own.
"""

from __future__ import annotations

import copy
import dataclasses
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from .config import OnnxConfig, OnnxSeq2SeqConfigWithPast, to_framework
from .errors import LayoutNotApplicableError, UsageError
from .frameworks import framework_of
from .model_inputs import cache_layers, past_argument
from .optimization import OptimizerSpec

ENCODER = "encoder_model"
DECODER = "decoder_model"
DECODER_WITH_PAST = "decoder_with_past_model"
MERGED_DECODER = "decoder_model_merged"
USE_CACHE_BRANCH = "use_cache_branch"
#: What a check of the merged decoder's with-past branch is called in reports and the manifest.
WITH_PAST_CHECK = "#with_past"
LAYOUTS = ("single", "split")
DEFAULT_LAYOUT = "single"
SINGLE_FILE = "model.onnx"
#: Tasks whose model is an encoder and a decoder a generation loop runs apart. A classification or
#: question-answering head reads the decoder's last state in the same forward pass, and ``causal-lm`` is the
#: decoder alone, so those export as one graph.
SPLIT_TASKS = ("default", "seq2seq-lm", "speech2seq-lm", "vision2seq-lm")


def encoder_hidden_size(model_config: Any) -> int:
    """Width of the encoder's output: the model's ``hidden_size``, or its encoder's for composite models
    (VisionEncoderDecoder), whose config has no ``hidden_size`` and whose decoder may be narrower."""
    encoder = getattr(model_config, "encoder", None)
    return int(getattr(encoder, "hidden_size", None) or model_config.hidden_size)


class Seq2SeqPartConfig(OnnxConfig):
    """The contract of one file of the split layout, derived from the model's single-graph config."""

    def __init__(self, parent: OnnxSeq2SeqConfigWithPast, part: str, merged: bool = False) -> None:
        super().__init__(parent._config, task=parent.task)
        self.parent = parent
        self.part = part
        self.merged = merged  # a decoder traced for, and checked through, the merged file
        self._without_past = copy.copy(parent)
        self._without_past.use_past = False

    @property
    def use_past(self) -> bool:
        """Whether this graph takes ``past_key_values.*`` (the decoder with past and the merged decoder)."""
        return self.part in (DECODER_WITH_PAST, MERGED_DECODER)

    @property
    def file_name(self) -> str:
        """The file this graph is traced to (the two decoders merge into ``decoder_model_merged.onnx`` after)."""
        return f"{self.part}.onnx"

    @property
    def check_name(self) -> str:
        """What its validation is reported as: the file checked, and which branch of the merged decoder."""
        if not self.merged:
            return self.file_name
        return f"{MERGED_DECODER}.onnx" + (WITH_PAST_CHECK if self.part == DECODER_WITH_PAST else "")

    @property
    def checked_file(self) -> str:
        """The file of the folder whose outputs the validation compares."""
        return f"{MERGED_DECODER}.onnx" if self.merged else self.file_name

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """The single graph's config's, for this part."""
        return self.parent.optimizer_spec(self.part)

    @property
    def returns_present(self) -> bool:
        """Decoders of ``-with-past`` features return the cache a generation loop feeds back."""
        return self.part != ENCODER and self.parent.use_past

    @property
    def encoder_input_names(self) -> list[str]:
        """The single graph's encoder inputs (T5: ``input_ids``, ``attention_mask``; Whisper: ``input_features``)."""
        return [name for name in self._without_past.inputs if not name.startswith("decoder_")]

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        single = self._without_past.inputs
        if self.part == ENCODER:
            return OrderedDict((name, dict(single[name])) for name in self.encoder_input_names)
        common: OrderedDict[str, dict[int, str]] = OrderedDict(input_ids={0: "batch", 1: "decoder_sequence"})
        if "attention_mask" in self.encoder_input_names:
            common["encoder_attention_mask"] = {0: "batch", 1: "encoder_sequence"}
        if self.part != DECODER_WITH_PAST:
            common["encoder_hidden_states"] = self._encoder_axes(1)
        if self.part == DECODER:
            return common
        for i in range(self.parent.num_layers[1]):
            for kind in ("decoder", "encoder"):
                if self.part == MERGED_DECODER:  # the first step's past is empty, of whatever shape runtimes make
                    axes = {0: "batch", 1: "past_heads", 2: f"past_{kind}_sequence", 3: "past_head_size"}
                else:
                    axes = {0: "batch", 2: "past_decoder_sequence"} if kind == "decoder" else self._encoder_axes(2)
                for tensor in ("key", "value"):
                    common[f"past_key_values.{i}.{kind}.{tensor}"] = dict(axes)
        if self.part == MERGED_DECODER:
            common[USE_CACHE_BRANCH] = {}
        return common

    def _encoder_axes(self, axis: int) -> dict[int, str]:
        """Axes of a tensor whose ``axis`` is the encoder's output length: dynamic unless the model fixes it."""
        return {0: "batch", axis: "encoder_sequence"} if self.parent.encoder_length_is_dynamic else {0: "batch"}

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.part == ENCODER:
            return OrderedDict(last_hidden_state=self._encoder_axes(1))
        common: OrderedDict[str, dict[int, str]] = OrderedDict(
            (name, dict(axes)) for name, axes in self._without_past.outputs.items()
        )
        if not self.returns_present:
            return common
        decoder_length = "decoder_sequence" if self.part == DECODER else "past_decoder_sequence + decoder_sequence"
        for i in range(self.parent.num_layers[1]):
            for kind in ("decoder", "encoder") if self.part != DECODER_WITH_PAST else ("decoder",):
                if kind == "decoder":
                    axes = {0: "batch", 2: decoder_length}
                elif self.part == MERGED_DECODER:  # empty after the first step
                    axes = {0: "batch", 1: "present_heads", 2: "encoder_sequence", 3: "present_head_size"}
                else:
                    axes = self._encoder_axes(2)
                for tensor in ("key", "value"):
                    common[f"present.{i}.{kind}.{tensor}"] = dict(axes)
        return common

    @property
    def values_override(self) -> Mapping[str, Any] | None:
        if self.part == ENCODER or not hasattr(self._config, "use_cache"):
            return None
        return {"use_cache": self.returns_present}

    @property
    def default_onnx_opset(self) -> int:
        return self.parent.default_onnx_opset

    @property
    def atol_for_validation(self) -> float:
        return self.parent.atol_for_validation

    def patch_ops(self) -> None:
        self.parent.patch_ops()

    def restore_ops(self) -> None:
        self.parent.restore_ops()

    def flatten_output_collection_property(self, name: str, field: Iterable[Any]) -> dict[str, Any]:  # type: ignore[override]
        return self.parent.flatten_output_collection_property(name, field)

    def generate_dummy_inputs(  # type: ignore[override]
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework: Any = None,
    ) -> Mapping[str, Any]:
        """This file's inputs, made from the single graph's: random encoder states and past (fixed seed)."""
        single = self._without_past.generate_dummy_inputs(
            preprocessor, batch_size=batch_size, seq_length=seq_length, is_pair=is_pair, framework=framework
        )
        return self._part_inputs(single, framework, new_tokens=None, seed=0)

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """The single graph's validation inputs (other batch and lengths, a padded row) turned into this file's;
        the decoder with past gets one new token, as in generation."""
        single = self._without_past.generate_validation_inputs(preprocessor, framework=framework)
        return self._part_inputs(single, framework, new_tokens=1, seed=2)

    def generate_dummy_inputs_onnxruntime(self, reference_model_inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """Checked through the merged file, each decoder also gets what the other branch takes, as runtimes feed
        it: the first step an empty past and ``use_cache_branch`` false, a later step zero encoder states (its
        branch reads the cached cross-attention instead) and true."""
        inputs = dict(reference_model_inputs)
        if not self.merged:
            return inputs
        batch = int(np.shape(inputs["input_ids"])[0])
        later = self.part == DECODER_WITH_PAST
        if later:
            encoder_length = int(np.shape(inputs["past_key_values.0.encoder.key"])[2])
            shape = (batch, encoder_length, encoder_hidden_size(self._config))
            inputs["encoder_hidden_states"] = np.zeros(shape, dtype=np.float32)
        else:
            empty = np.zeros(self.parent.past_shape(batch, 0), dtype=np.float32)
            inputs.update((name, empty) for name in self._merged_past_names())
        inputs[USE_CACHE_BRANCH] = np.array([later])
        return inputs

    def _merged_past_names(self) -> list[str]:
        return [name for name in Seq2SeqPartConfig(self.parent, MERGED_DECODER).inputs if name.startswith("past_")]

    def _part_inputs(
        self, single: Mapping[str, Any], framework: Any, new_tokens: int | None, seed: int
    ) -> dict[str, Any]:
        if self.part == ENCODER:
            return {name: single[name] for name in self.encoder_input_names}
        rng = np.random.default_rng(seed)
        decoder_ids = single["decoder_input_ids"]
        batch = decoder_ids.shape[0]
        encoder_length = self.parent.encoder_output_length({name: single[name] for name in self.encoder_input_names})
        inputs: dict[str, Any] = {"input_ids": decoder_ids}
        if "attention_mask" in self.encoder_input_names:
            inputs["encoder_attention_mask"] = single["attention_mask"]
        if self.part == DECODER:
            shape = (batch, encoder_length, encoder_hidden_size(self._config))
            inputs["encoder_hidden_states"] = to_framework(rng.standard_normal(shape).astype(np.float32), framework)
            return inputs
        if new_tokens is not None:
            inputs["input_ids"] = decoder_ids[:, -new_tokens:]
        past_length = decoder_ids.shape[1] + 3
        inputs["past_key_values"] = self.parent.dummy_past_key_values(
            batch, past_length, encoder_length, rng, framework
        )
        return inputs


class Seq2SeqDecoder:
    """The whole model called as a decoder, in any framework: decoder tokens, the encoder's mask and output or,
    with a past, only the cache. Framework-neutral: the framework's ``wrap_module`` mixes in its module class
    (``torch.nn.Module``, ``tf.Module``) and sets ``model``."""

    model: Any
    call_options: ClassVar[dict[str, Any]] = {}  # extra keyword arguments of the model call (TF: training=False)

    @property
    def config(self) -> Any:
        """The model's config (and below, its device and size), which the exporters read off the module."""
        return self.model.config

    @property
    def device(self) -> Any:
        return self.model.device

    def num_parameters(self) -> int:
        return int(self.model.num_parameters())

    def forward(
        self,
        input_ids: Any,
        encoder_attention_mask: Any = None,
        encoder_hidden_states: Any = None,
        past_key_values: Any = None,
    ) -> Any:
        ops = framework_of(self.model).ops
        if encoder_hidden_states is None:
            # With a past, cross-attention reads its keys and values from the cache; the model still wants encoder
            # states, which then only give the batch and length.
            encoder_hidden_states = ops.zeros_states(
                cache_layers(past_key_values)[0][2], encoder_hidden_size(self.config)
            )
        arguments: dict[str, Any] = {
            self.model.main_input_name: None,  # the encoder output stands in for it (Keras wants it passed)
            "decoder_input_ids": input_ids,
            "encoder_outputs": ops.encoder_output(encoder_hidden_states),
        }
        if encoder_attention_mask is not None:
            arguments["attention_mask"] = encoder_attention_mask
        if past_key_values is not None:
            arguments[past_argument(self.model)] = past_key_values
        return self.model(**arguments, **self.call_options)


@dataclasses.dataclass
class ExportPart:
    """One traced graph of an export: the file it is traced to, its contract, the module traced for it, what
    its validation is reported as and the file of the finished folder that validation runs (a branch of the merged
    decoder is checked through the merged file)."""

    file_name: str
    config: OnnxConfig
    model: Any
    check_name: str
    checked_file: str

    def below(self, folder: str) -> ExportPart:
        """The same part with its files in ``folder`` of the export (``""``: at its top)."""
        if not folder:
            return self
        return dataclasses.replace(
            self,
            file_name=f"{folder}/{self.file_name}",
            check_name=f"{folder}/{self.check_name}",
            checked_file=f"{folder}/{self.checked_file}",
        )


def applicable_layouts(config_class: type[OnnxConfig], task: str) -> tuple[str, ...]:
    """The layouts a config class can write ``task`` in: split only for an encoder-decoder's generation tasks."""
    seq2seq = issubclass(config_class, OnnxSeq2SeqConfigWithPast)
    return LAYOUTS if seq2seq and task in SPLIT_TASKS else (DEFAULT_LAYOUT,)


def check_layout(layout: str, config: OnnxConfig) -> None:
    """Reject a layout the config cannot be written in, before the model is loaded."""
    if layout not in LAYOUTS:
        raise UsageError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}.")
    if layout == "split" and not isinstance(config, OnnxSeq2SeqConfigWithPast):
        raise UsageError(
            f"--layout split is for encoder-decoder models; {type(config).__name__} exports one graph, so drop"
            " --layout split."
        )
    if layout not in applicable_layouts(type(config), config.task):
        raise LayoutNotApplicableError(
            f"--layout split is for the generation features ({', '.join(SPLIT_TASKS)}); the {config.task} model"
            " runs encoder and decoder in one pass, so drop --layout split."
        )


def layout_configs(layout: str, config: OnnxConfig) -> dict[str, OnnxConfig]:
    """The ONNX files ``layout`` leaves in the folder for ``config``, each with its contract: ``model.onnx``, or
    the encoder and the (merged, with past) decoder."""
    check_layout(layout, config)
    if layout == "single":
        return {SINGLE_FILE: config}
    assert isinstance(config, OnnxSeq2SeqConfigWithPast)
    parts = [ENCODER, MERGED_DECODER] if config.use_past else [ENCODER, DECODER]
    return {f"{part}.onnx": Seq2SeqPartConfig(config, part) for part in parts}


def traced_configs(layout: str, config: OnnxConfig) -> list[OnnxConfig]:
    """The graphs ``layout`` traces for ``config``: the files of :func:`layout_configs`, the merged decoder as
    its two decoders."""
    traced: list[OnnxConfig] = []
    for part_config in layout_configs(layout, config).values():
        if isinstance(part_config, Seq2SeqPartConfig) and part_config.part == MERGED_DECODER:
            traced += [
                Seq2SeqPartConfig(part_config.parent, part, merged=True) for part in (DECODER, DECODER_WITH_PAST)
            ]
        else:
            traced.append(part_config)
    return traced


def checked_configs(layout: str, config: OnnxConfig) -> dict[str, OnnxConfig]:
    """The validations ``layout`` runs for ``config``, by the name each is reported under (a file, or a branch of
    the merged decoder), with the contract of the graph each one checks."""
    return {
        part_config.check_name if isinstance(part_config, Seq2SeqPartConfig) else SINGLE_FILE: part_config
        for part_config in traced_configs(layout, config)
    }


def layout_parts(layout: str, config: OnnxConfig, model: Any) -> list[ExportPart]:
    """The graphs ``layout`` traces for ``config``, with the module traced for each."""
    decoder = framework_of(model).ops.wrap_module(model, Seq2SeqDecoder) if layout == "split" else None
    parts = []
    for part_config in traced_configs(layout, config):
        if not isinstance(part_config, Seq2SeqPartConfig):
            parts.append(ExportPart(SINGLE_FILE, part_config, model, SINGLE_FILE, SINGLE_FILE))
            continue
        module = model.get_encoder() if part_config.part == ENCODER else decoder
        names = (part_config.file_name, part_config.check_name, part_config.checked_file)
        parts.append(ExportPart(names[0], part_config, module, *names[1:]))
    return parts


def merged_decoder_parts(parts: list[ExportPart]) -> tuple[str, str] | None:
    """The traced files (first-step decoder, decoder with past) that merge into ``decoder_model_merged.onnx``."""
    merged = [part.file_name for part in parts if part.checked_file != part.file_name]
    return (merged[0], merged[1]) if merged else None
