"""``--runtime``: the layout and input contract of the runtime that will load the folder.

- ``onnxruntime`` (the default): transformers.onnx's contract, for users switching from it. Decoders derive
  ``position_ids`` from ``attention_mask`` inside the graph; encoder-decoders are one ``model.onnx`` unless
  ``--layout split`` asks for the encoder and the merged decoder.
- ``optimum``: what Optimum's ``ORTModelFor*`` classes load without extra arguments: decoders take
  ``position_ids`` as an input (Optimum's current contract; without it Optimum warns of a legacy model), and
  encoder-decoders that generate are split into ``encoder_model.onnx`` and ``decoder_model_merged.onnx``.
- ``transformers.js``: the same graphs, in ``onnx/`` beside ``config.json`` and the preprocessor files, where
  transformers.js looks for them.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from .config import OnnxConfig, OnnxConfigWithPast, OnnxSeq2SeqConfigWithPast, as_numpy, to_framework
from .errors import LayoutNotApplicableError, UsageError
from .model_inputs import call_parameters
from .seq2seq import DEFAULT_LAYOUT, applicable_layouts

POSITION_IDS = "position_ids"
#: The one folder an export may hold: transformers.js reads its ONNX files from ``onnx/``.
ONNX_FOLDER = "onnx"
TRANSFORMERS_JS_CONFIG = "transformers.js_config"


@dataclasses.dataclass(frozen=True)
class Runtime:
    """What a runtime loads: where the ONNX files go, and whether decoders take ``position_ids``."""

    name: str
    onnx_folder: str  # below the export folder, "" for its top
    position_ids: bool
    split_generation: bool  # encoder-decoders that generate only load as the split layout
    data_suffix: str = ".data"  # of a file's external data: model.onnx.data, or transformers.js's model.onnx_data

    def loader_config(self, external_data: list[str]) -> dict[str, Any]:
        """What ``config.json`` must add for this runtime to load the folder as it is (``external_data``: the
        ONNX files whose weights are in a data file). transformers.js reads its ``transformers.js_config``: the
        dtype to load (the browser's default is q8, a file this folder does not have) and which files have
        external data (it fetches no data file otherwise)."""
        if self.name != "transformers.js":
            return {}
        entry: dict[str, Any] = {"dtype": "fp32"}
        if external_data:
            entry["use_external_data_format"] = {name: 1 for name in external_data}
        return {TRANSFORMERS_JS_CONFIG: entry}


RUNTIMES = {
    runtime.name: runtime
    for runtime in (
        Runtime("onnxruntime", "", position_ids=False, split_generation=False),
        Runtime("optimum", "", position_ids=True, split_generation=True),
        Runtime("transformers.js", ONNX_FOLDER, position_ids=True, split_generation=True, data_suffix="_data"),
    )
}
DEFAULT_RUNTIME = "onnxruntime"


def runtime_named(name: str) -> Runtime:
    """The runtime ``--runtime`` names; a UsageError for any other."""
    if name not in RUNTIMES:
        raise UsageError(f"unknown runtime {name!r}; choose one of {', '.join(RUNTIMES)}.")
    return RUNTIMES[name]


def runtime_layout(runtime: Runtime, layout: str | None, config: OnnxConfig) -> str:
    """The layout to write: the one asked for, else the runtime's (split for an encoder-decoder that generates,
    where the runtime loads only that). Refuses a layout the runtime cannot load."""
    # the generation heads (not ``default``: a feature extractor is one graph for every runtime)
    splits = "split" in applicable_layouts(type(config), config.task) and config.task != "default"
    if layout is None:
        return "split" if runtime.split_generation and splits else DEFAULT_LAYOUT
    if layout == "single" and runtime.split_generation and splits:
        raise LayoutNotApplicableError(
            f"{runtime.name} loads {config.task} encoder-decoders from the split files only; drop --layout single"
            " (or use --runtime onnxruntime for one model.onnx)."
        )
    return layout


def runtime_config(runtime: Runtime, config: OnnxConfig, model: Any) -> OnnxConfig:
    """``config`` with the runtime's input contract: a decoder whose model takes ``position_ids`` gets them as an
    input (:class:`PositionIdsInput`) for runtimes that feed them. Decoders are the configs with a past
    (OnnxConfigWithPast, used with or without it), as Optimum gives its text decoders the input: an encoder with
    a causal-LM head (RoBERTa's counts positions from its padding index) keeps its own positions."""
    decoder = (
        config.task.startswith("causal-lm")
        and isinstance(config, OnnxConfigWithPast)
        and not isinstance(config, OnnxSeq2SeqConfigWithPast)
    )
    if not (runtime.position_ids and decoder and POSITION_IDS in call_parameters(model)):
        return config
    contracted = object.__new__(_with_position_ids(type(config)))
    contracted.__dict__.update(vars(config))  # the same config, read through the mixin
    return contracted


@functools.cache
def _with_position_ids(config_class: type[OnnxConfig]) -> type[OnnxConfig]:
    return type(config_class.__name__, (PositionIdsInput, config_class), {"__module__": config_class.__module__})


def generation_position_ids(attention_mask: np.ndarray, length: int) -> np.ndarray:
    """The position ids Optimum and transformers.js feed for the last ``length`` tokens: attended tokens counted
    from 0, padding at 1 (``cumsum(mask) - 1``, masked positions filled with 1, as ``generate()`` does)."""
    mask = np.asarray(attention_mask, dtype=np.int64)
    positions = np.where(mask == 1, mask.cumsum(-1) - 1, 1)
    return positions[:, mask.shape[-1] - length :]


class PositionIdsInput:
    """Mixed into a decoder's OnnxConfig: ``position_ids`` (after ``attention_mask``) is an input of the graph
    instead of derived inside it, and example inputs carry the ids the runtimes feed."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs: OrderedDict[str, Mapping[int, str]] = OrderedDict()
        for name, axes in super().inputs.items():  # type: ignore[misc]
            inputs[name] = axes
            if name == "attention_mask":
                inputs[POSITION_IDS] = {0: "batch", 1: "sequence"}
        return inputs

    @property
    def position_ids_from_attention_mask(self) -> bool:
        return False

    def generate_dummy_inputs(self, preprocessor: Any, **kwargs: Any) -> Any:
        inputs = super().generate_dummy_inputs(preprocessor, **kwargs)  # type: ignore[misc]
        return _with_ids(inputs, kwargs.get("framework"))

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Any:
        """The ids follow the final mask (validation pads rows after making the example inputs)."""
        inputs = super().generate_validation_inputs(preprocessor, framework=framework)  # type: ignore[misc]
        return _with_ids(inputs, framework)


def _with_ids(inputs: Mapping[str, Any], framework: Any) -> dict[str, Any]:
    """``inputs`` with ``position_ids`` of its tokens, placed after ``attention_mask``."""
    length = as_numpy(inputs["input_ids"]).shape[1]
    ids = to_framework(generation_position_ids(as_numpy(inputs["attention_mask"]), length), framework)
    with_ids: dict[str, Any] = {}
    for name, value in inputs.items():
        if name == POSITION_IDS:
            continue
        with_ids[name] = value
        if name == "attention_mask":
            with_ids[POSITION_IDS] = ids
    return with_ids
