"""Config base classes: what a model exports (inputs, outputs, dynamic axes) and how to feed it.

Names, signatures and defaults follow ``transformers.onnx.config`` v4.57 so that existing ``XxxOnnxConfig``
subclasses keep working after an import change. Differences (all documented in ``docs/compatibility.md``):
dummy inputs can be made from the model config alone when no preprocessor is given; classification
logits keep their class axis static; ``restore_ops`` is called from a ``finally`` by the exporter.

This module sits at the bottom of core: it imports neither torch, TensorFlow nor transformers at import time
(tensors are made through :mod:`onnxcore.frameworks`, which loads a framework on first use).
"""

from __future__ import annotations

import copy
import dataclasses
import warnings
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np
from packaging import version

from .frameworks import FRAMEWORKS, PYTORCH
from .optimization import OptimizerSpec
from .utils import ParameterFormat, compute_effective_axis_dimension, compute_serialized_parameters_size

if TYPE_CHECKING:
    from transformers import PretrainedConfig

DEFAULT_ONNX_OPSET = 11
EXTERNAL_DATA_FORMAT_SIZE_LIMIT = 2 * 1024 * 1024 * 1024

Axes = Mapping[int, str]


@dataclasses.dataclass
class PatchingSpec:
    """Monkey-patch ``o.<name>`` with ``custom_op`` for the duration of an export.

    ``orig_op`` is filled from the object when not given; ``op_wrapper`` wraps ``custom_op`` when applied.
    """

    o: Any
    name: str
    custom_op: Callable[..., Any]
    orig_op: Callable[..., Any] | None = None
    op_wrapper: Callable[..., Any] | None = None


def framework_name(framework: Any) -> str | None:
    """Normalise a ``TensorType`` or a string to ``"pt"``, ``"tf"``, ``"np"`` or None."""
    if framework is None:
        return None
    return str(getattr(framework, "value", framework))


def to_framework(array: np.ndarray, framework: Any) -> Any:
    """Turn a numpy array into a tensor of the requested framework (numpy when None)."""
    name = framework_name(framework)
    return FRAMEWORKS[name].ops.to_tensor(array) if name in FRAMEWORKS else array


def as_numpy(value: Any) -> np.ndarray:
    """A torch or TF tensor (or an array) as a numpy array."""
    if hasattr(value, "detach"):  # torch: also tensors that require grad or live on a device
        value = value.detach().cpu()
        # numpy has no bfloat16; float32 holds every bfloat16 value exactly
        return (value.float() if str(value.dtype) == "torch.bfloat16" else value).numpy()
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)


def _extended_mask(mask: Any, past_length: int, framework: Any) -> Any:
    """``mask`` with ``past_length`` attended past positions in front, as a ``framework`` tensor."""
    array = as_numpy(mask)
    past = np.ones((array.shape[0], past_length), dtype=array.dtype)
    return to_framework(np.concatenate([past, array], axis=1), framework)


def _random_like(tensor: Any, rng: np.random.Generator, framework: Any) -> Any:
    """Normal values of ``tensor``'s shape and dtype, as a ``framework`` tensor."""
    array = as_numpy(tensor)
    return to_framework(rng.standard_normal(array.shape).astype(array.dtype), framework)


SPECIAL_ID_ATTRIBUTES = ("pad_token_id", "bos_token_id", "eos_token_id", "decoder_start_token_id", "sep_token_id")
#: What validation adds to a dynamic image height and width (a multiple of every patch and stride size in use).
VALIDATION_IMAGE_GROWTH = 32


def ordinary_token_ids(model_config: Any, vocab_size: int, preprocessor: Any = None) -> np.ndarray:
    """The ids below ``vocab_size`` that are no special token of the model config or the tokenizer: random text
    drawn from them never holds an extra eos (BART's classification head needs exactly one per row) or pad."""
    special = {getattr(model_config, name, None) for name in SPECIAL_ID_ATTRIBUTES}
    special |= set(getattr(preprocessor, "all_special_ids", ()) or ())
    ordinary = np.setdiff1d(np.arange(vocab_size), np.array([i for i in special if isinstance(i, int)], dtype=int))
    return ordinary if ordinary.size else np.arange(vocab_size)


def _resized(array: np.ndarray, axes: Iterable[int], growth: int) -> np.ndarray:
    """``array`` grown by ``growth`` on each of ``axes`` by nearest-neighbour sampling (values stay in range)."""
    for axis in axes:
        size = array.shape[axis]
        array = np.take(array, np.arange(size + growth) * size // (size + growth), axis=axis)
    return array


class OnnxConfig(ABC):
    """Base class for ONNX exportable model describing metadata on how to export the model through ONNX."""

    default_fixed_batch = 2
    default_fixed_sequence = 8
    default_fixed_num_choices = 4
    torch_onnx_minimum_version = version.parse("1.8")
    _tasks_to_common_outputs: dict[str, OrderedDict[str, dict[int, str]]] = {
        "causal-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "default": OrderedDict({"last_hidden_state": {0: "batch", 1: "sequence"}}),
        "image-classification": OrderedDict({"logits": {0: "batch"}}),
        "image-segmentation": OrderedDict(
            {
                "logits": {0: "batch", 1: "sequence"},
                "pred_boxes": {0: "batch", 1: "sequence"},
                "pred_masks": {0: "batch", 1: "sequence"},
            }
        ),
        "masked-im": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "masked-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "multiple-choice": OrderedDict({"logits": {0: "batch"}}),
        "object-detection": OrderedDict(
            {
                "logits": {0: "batch", 1: "sequence"},
                "pred_boxes": {0: "batch", 1: "sequence"},
            }
        ),
        "question-answering": OrderedDict(
            {
                "start_logits": {0: "batch", 1: "sequence"},
                "end_logits": {0: "batch", 1: "sequence"},
            }
        ),
        "semantic-segmentation": OrderedDict({"logits": {0: "batch", 1: "num_labels", 2: "height", 3: "width"}}),
        "seq2seq-lm": OrderedDict({"logits": {0: "batch", 1: "decoder_sequence"}}),
        "sequence-classification": OrderedDict({"logits": {0: "batch"}}),
        "speech2seq-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "token-classification": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
        "vision2seq-lm": OrderedDict({"logits": {0: "batch", 1: "sequence"}}),
    }

    def __init__(
        self, config: PretrainedConfig, task: str = "default", patching_specs: list[PatchingSpec] | None = None
    ) -> None:
        self._config = config
        if task not in self._tasks_to_common_outputs:
            raise ValueError(f"{task} is not a supported task, supported tasks: {list(self._tasks_to_common_outputs)}")
        self.task = task
        self._patching_specs = [
            spec if spec.orig_op is not None else dataclasses.replace(spec, orig_op=getattr(spec.o, spec.name))
            for spec in patching_specs or []
        ]

    @classmethod
    def from_model_config(cls, config: PretrainedConfig, task: str = "default") -> OnnxConfig:
        """Instantiate an OnnxConfig for a specific model."""
        return cls(config, task=task)

    @property
    @abstractmethod
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        """Input names, in the order the ONNX graph takes them, with their dynamic axes."""
        raise NotImplementedError()

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        """Output names with their dynamic axes; exactly these outputs are exported."""
        return copy.deepcopy(self._tasks_to_common_outputs[self.task])

    @property
    def values_override(self) -> Mapping[str, Any] | None:
        """Model config values to set before export (``use_cache`` off for models without past)."""
        if hasattr(self._config, "use_cache"):
            return {"use_cache": False}
        return None

    @property
    def position_ids_from_attention_mask(self) -> bool:
        """Whether the graph derives ``position_ids`` from ``attention_mask`` as ``generate()`` does (onnxcore).

        On for decoders with past (their graphs run generation loops), so a left-padded batch generates what
        PyTorch generates while the inputs stay transformers.onnx's.
        """
        return False

    @property
    def default_batch_size(self) -> int:
        """Batch size used for the export's dummy inputs."""
        return OnnxConfig.default_fixed_batch

    @property
    def default_sequence_length(self) -> int:
        """Sequence length used for the export's dummy inputs."""
        return OnnxConfig.default_fixed_sequence

    @property
    def default_num_choices(self) -> int:
        """Number of choices used for multiple-choice dummy inputs."""
        return OnnxConfig.default_fixed_num_choices

    @property
    def default_onnx_opset(self) -> int:
        """Lowest opset this config exports to; also the default when the exporter allows it."""
        return DEFAULT_ONNX_OPSET

    @property
    def atol_for_validation(self) -> float:
        """Absolute tolerance when comparing ONNX Runtime outputs with the framework model."""
        return 1e-5

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """The model type and options of ONNX Runtime's transformer optimizer that fit this config's graphs (for
        ``--optimize O2``/``O3``), or None: the graphs then get O1 only. ``part``: the file of a split layout
        (``encoder_model``, ``decoder_model``, ``decoder_with_past_model``), None for the single graph."""
        return None

    @property
    def is_torch_support_available(self) -> bool:
        """Whether torch is installed at ``torch_onnx_minimum_version`` or newer."""
        if not PYTORCH.installed:
            return False
        return version.parse(PYTORCH.ops.version().split("+")[0]) >= self.torch_onnx_minimum_version

    @staticmethod
    def use_external_data_format(num_parameters: int) -> bool:
        """Whether fp32 weights of ``num_parameters`` reach the 2 GB protobuf limit."""
        return (
            compute_serialized_parameters_size(num_parameters, ParameterFormat.Float) >= EXTERNAL_DATA_FORMAT_SIZE_LIMIT
        )

    def _generate_dummy_images(
        self, batch_size: int = 2, num_channels: int = 3, image_height: int = 40, image_width: int = 40
    ) -> list[Any]:
        from PIL import Image  # lazily: keeps `import onnxcore` light

        images = []
        for _ in range(batch_size):
            data = np.random.rand(image_height, image_width, num_channels) * 255
            images.append(Image.fromarray(data.astype("uint8")).convert("RGB"))
        return images

    def _generate_dummy_audio(
        self, batch_size: int = 2, sampling_rate: int = 22050, time_duration: float = 5.0, frequency: int = 220
    ) -> list[np.ndarray]:
        audio_data = []
        for _ in range(batch_size):
            t = np.linspace(0, time_duration, int(time_duration * sampling_rate), endpoint=False)
            audio_data.append(0.5 * np.sin(2 * np.pi * frequency * t))
        return audio_data

    def generate_dummy_inputs(
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        num_choices: int = -1,
        is_pair: bool = False,
        framework: Any = None,
        num_channels: int = 3,
        image_width: int = 40,
        image_height: int = 40,
        sampling_rate: int = 22050,
        time_duration: float = 5.0,
        frequency: int = 220,
        tokenizer: Any = None,
    ) -> Mapping[str, Any]:
        """Generate inputs to provide to the exporter for the specific framework.

        With a tokenizer, image processor or feature extractor this follows ``transformers.onnx`` exactly.
        With ``preprocessor=None`` the inputs are made from the model config alone (an onnxcore addition).
        """
        # lazily: keeps `import onnxcore` light
        from transformers import FeatureExtractionMixin, ImageProcessingMixin, PreTrainedTokenizerBase

        if isinstance(preprocessor, PreTrainedTokenizerBase) and tokenizer is not None:
            raise ValueError("You cannot provide both a tokenizer and a preprocessor to generate dummy inputs.")
        if tokenizer is not None:
            warnings.warn(
                "The `tokenizer` argument is deprecated; use `preprocessor` instead.",
                FutureWarning,
                stacklevel=2,
            )
            preprocessor = tokenizer
        if isinstance(preprocessor, PreTrainedTokenizerBase):
            return self._dummy_text_inputs(preprocessor, batch_size, seq_length, num_choices, is_pair, framework)
        if isinstance(preprocessor, ImageProcessingMixin):
            if preprocessor.model_input_names[0] != "pixel_values":
                raise ValueError(
                    f"The `preprocessor` is an image processor ({preprocessor.__class__.__name__}) and expects"
                    f' `model_input_names[0]` to be "pixel_values", but got {preprocessor.model_input_names[0]}'
                )
            batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=self.default_fixed_batch)
            images = self._generate_dummy_images(batch_size, num_channels, image_height, image_width)
            return dict(preprocessor(images=images, return_tensors=framework_name(framework)))
        if isinstance(preprocessor, FeatureExtractionMixin) and preprocessor.model_input_names[0] == "pixel_values":
            batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=self.default_fixed_batch)
            images = self._generate_dummy_images(batch_size, num_channels, image_height, image_width)
            return dict(preprocessor(images=images, return_tensors=framework_name(framework)))
        if isinstance(preprocessor, FeatureExtractionMixin) and preprocessor.model_input_names[0] == "input_features":
            batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=self.default_fixed_batch)
            audio = self._generate_dummy_audio(batch_size, sampling_rate, time_duration, frequency)
            return dict(preprocessor(audio, return_tensors=framework_name(framework)))
        if preprocessor is None:
            return self.generate_dummy_inputs_from_config(
                batch_size=batch_size, seq_length=seq_length, num_choices=num_choices, framework=framework
            )
        raise ValueError("Unable to generate dummy inputs for the model. Please provide a tokenizer or a preprocessor.")

    def _dummy_text_inputs(
        self,
        tokenizer: Any,
        batch_size: int,
        seq_length: int,
        num_choices: int,
        is_pair: bool,
        framework: Any,
    ) -> dict[str, Any]:
        batch_size = compute_effective_axis_dimension(batch_size, fixed_dimension=self.default_fixed_batch)
        token_to_add = tokenizer.num_special_tokens_to_add(is_pair)
        seq_length = compute_effective_axis_dimension(
            seq_length, fixed_dimension=self.default_fixed_sequence, num_token_to_add=token_to_add
        )
        unk = tokenizer.unk_token if tokenizer.unk_token else "0"
        texts = [unk * seq_length] * batch_size
        fw = framework_name(framework)
        if self.task == "multiple-choice":
            num_choices = compute_effective_axis_dimension(num_choices, fixed_dimension=self.default_fixed_num_choices)
            texts = texts * num_choices
            encoded = tokenizer(texts, text_pair=texts)
            for key, values in encoded.items():
                encoded[key] = [values[i : i + num_choices] for i in range(0, len(values), num_choices)]
            return dict(encoded.convert_to_tensors(tensor_type=fw))
        return dict(tokenizer(texts, return_tensors=fw))

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Dummy inputs made from the model config alone, for checkpoints without a preprocessor.

        Axis names decide sizes: ``batch``, ``choice`` and ``*sequence*``. Integer inputs named ``*input_ids``
        draw token ids below ``vocab_size`` that are no special token, and each row ends with the config's
        ``eos_token_id`` (as a tokenizer would end it; BART's classification head needs it); ``*attention_mask``
        is ones; other integer inputs are zeros. Configs with non-text inputs (pixels, audio) override this.
        """
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        sequence = compute_effective_axis_dimension(seq_length, self.default_fixed_sequence)
        choices = compute_effective_axis_dimension(num_choices, self.default_fixed_num_choices)
        rng = np.random.default_rng(0)
        vocab_size = int(getattr(self._config, "vocab_size", 2) or 2)
        ordinary = ordinary_token_ids(self._config, vocab_size)
        eos = getattr(self._config, "eos_token_id", None)
        inputs: dict[str, Any] = {}
        for name, axes in self.inputs.items():
            if name.startswith("past_key_values."):
                continue  # OnnxConfigWithPast.generate_dummy_inputs adds the past
            shape = []
            for axis in range(max(axes) + 1):
                axis_name = axes.get(axis, "")
                if axis_name == "batch":
                    shape.append(batch)
                elif axis_name == "choice":
                    shape.append(choices)
                elif "sequence" in axis_name:
                    shape.append(sequence)
                else:
                    raise ValueError(
                        f"{type(self).__name__} cannot size axis {axis} ({axis_name!r}) of input {name!r} from the"
                        " model config; pass a preprocessor or override generate_dummy_inputs_from_config."
                    )
            if name.endswith("input_ids"):
                array = rng.choice(ordinary, size=shape).astype(np.int64)
                if isinstance(eos, int) and 0 <= eos < vocab_size and not name.startswith("decoder_"):
                    array[..., -1] = eos
            elif name.endswith("attention_mask"):
                array = np.ones(shape, dtype=np.int64)
            else:
                array = np.zeros(shape, dtype=np.int64)
            inputs[name] = to_framework(array, framework)
        return inputs

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """Inputs for validation: every dynamic axis at another size than the export's, varied tokens, one padded
        row.

        transformers.onnx validated on one batch of repeated ``[UNK]`` at nearly the export's shapes, so a graph
        that runs only at those shapes passed. onnxcore grows the batch and the sequence by one, draws varied
        ordinary token ids (no special token, so a row keeps the eos its tokenizer put at the end), masks the tail
        of the last row so that padding and attention masking are checked too, and grows the image axes a config
        declares dynamic (``height``, ``width``) by :data:`VALIDATION_IMAGE_GROWTH` pixels.
        """
        sizes = {"batch_size": self.default_batch_size + 1, "seq_length": self.default_sequence_length + 1}
        if self.task == "multiple-choice":
            sizes["num_choices"] = self.default_num_choices - 1
        inputs = dict(self.generate_dummy_inputs(preprocessor, framework=framework, **sizes))
        rng = np.random.default_rng(1)
        vocab_size = int(getattr(self._config, "vocab_size", 0) or 0)
        ordinary = ordinary_token_ids(self._config, vocab_size, preprocessor) if vocab_size > 0 else None
        # the tokenizer's special tokens other than the unk filler stay where it put them (mBART ends a row with
        # `</s> en_XX`, and its classification head reads the `</s>`)
        unk = getattr(preprocessor, "unk_token_id", None)
        kept = [i for i in getattr(preprocessor, "all_special_ids", ()) or () if i != unk]
        for name in list(inputs):
            image_axes = [axis for axis, label in self.inputs.get(name, {}).items() if label in ("height", "width")]
            if not image_axes and not name.endswith(("input_ids", "attention_mask")):
                continue
            array = as_numpy(inputs[name]).copy()
            if image_axes:
                array = _resized(array, image_axes, VALIDATION_IMAGE_GROWTH)
            elif name.endswith("input_ids") and ordinary is not None and array.shape[-1] > 2:
                inner = array[..., 1:-1]  # a view: assigning to it changes the array
                drawn = ~np.isin(inner, kept)
                inner[drawn] = rng.choice(ordinary, size=int(drawn.sum()))
            elif name.endswith("attention_mask") and array.shape[0] > 1 and array.shape[-1] > 3:
                array[-1, ..., -2:] = 0
            else:
                continue
            inputs[name] = to_framework(array, framework)
        return inputs

    def generate_dummy_inputs_onnxruntime(self, reference_model_inputs: Mapping[str, Any]) -> Mapping[str, Any]:
        """Inputs for ONNX Runtime derived from the reference model's; override for split encoder/decoder files."""
        return reference_model_inputs

    def patch_ops(self) -> None:
        """Apply every PatchingSpec; the exporter undoes them with ``restore_ops`` in a ``finally``."""
        for spec in self._patching_specs:
            custom_op = spec.custom_op if spec.op_wrapper is None else spec.op_wrapper(spec.custom_op)
            setattr(spec.o, spec.name, custom_op)

    def restore_ops(self) -> None:
        """Undo ``patch_ops``."""
        for spec in self._patching_specs:
            orig_op = spec.orig_op if spec.op_wrapper is None else spec.op_wrapper(spec.orig_op)
            setattr(spec.o, spec.name, orig_op)

    @classmethod
    def flatten_output_collection_property(cls, name: str, field: Iterable[Any]) -> dict[str, Any]:
        """Flatten a nested structure, naming each leaf ``{name}.{index}``."""
        return {f"{name}.{idx}": item for idx, item in enumerate(chain.from_iterable(field))}


class OnnxConfigWithPast(OnnxConfig, ABC):
    """Config of a decoder that can take and return past key/values (``-with-past`` features)."""

    def __init__(
        self,
        config: PretrainedConfig,
        task: str = "default",
        patching_specs: list[PatchingSpec] | None = None,
        use_past: bool = False,
    ) -> None:
        super().__init__(config, task=task, patching_specs=patching_specs)
        self.use_past = use_past

    @classmethod
    def with_past(cls, config: PretrainedConfig, task: str = "default") -> OnnxConfigWithPast:
        """Instantiate the config with ``use_past=True``."""
        return cls(config, task=task, use_past=True)

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        common_outputs = super().outputs
        if self.use_past:
            self.fill_with_past_key_values_(common_outputs, direction="outputs")
        return common_outputs

    @property
    def values_override(self) -> Mapping[str, Any] | None:
        """``use_cache`` as the feature says; for sequence classification also a pad id when the model has none.

        Decoders classify from the last non-pad token, so the model needs a pad id (transformers.onnx's GPT-2
        config wrote 0 into the user's config for good). onnxcore sets it only while exporting and validating,
        and prefers the eos id, which decoder users pad with.
        """
        override: dict[str, Any] = {}
        if hasattr(self._config, "use_cache"):
            override["use_cache"] = self.use_past
        if self.task == "sequence-classification" and getattr(self._config, "pad_token_id", None) is None:
            eos = getattr(self._config, "eos_token_id", None)
            eos = eos[0] if isinstance(eos, (list, tuple)) and eos else eos  # Llama 3 lists several
            override["pad_token_id"] = eos if isinstance(eos, int) else 0
        return override or None

    @property
    def num_layers(self) -> int:
        """Number of decoder layers, read from the model config."""
        if not hasattr(self._config, "num_layers"):
            raise AttributeError(
                "could not find the number of layers attribute in the model configuration, override the num_layers"
                " property of the model OnnxConfig to solve this"
            )
        return self._config.num_layers

    @property
    def num_attention_heads(self) -> int:
        """Number of attention heads, read from the model config."""
        if not hasattr(self._config, "num_attention_heads"):
            raise AttributeError(
                "could not find the number of attention heads attribute in the model configuration, override the"
                " num_attention_heads property of the model OnnxConfig to solve this"
            )
        return self._config.num_attention_heads

    @property
    def position_ids_from_attention_mask(self) -> bool:
        return self.use_past

    @property
    def _cache_heads(self) -> int:
        """Heads of the cached attention: the decoder's for seq2seq configs, whose heads are (encoder, decoder)."""
        heads = self.num_attention_heads
        return heads[-1] if isinstance(heads, tuple) else heads

    @property
    def attention_head_size(self) -> int:
        """Size of one attention head in the cache; ``hidden_size // heads`` unless the model says otherwise (T5's
        ``d_kv``)."""
        return self._config.hidden_size // self._cache_heads

    def past_shape(self, batch: int, past_length: int) -> tuple[int, ...]:
        """Shape of one past key or value: (batch, heads, past length, head size); seq2seq: the decoder's heads."""
        return (batch, self._cache_heads, past_length, self.attention_head_size)

    def generate_dummy_inputs(  # type: ignore[override]
        self,
        tokenizer: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework: Any = None,
    ) -> Mapping[str, Any]:
        common_inputs = dict(
            super().generate_dummy_inputs(
                tokenizer, batch_size=batch_size, seq_length=seq_length, is_pair=is_pair, framework=framework
            )
        )
        if self.use_past:
            batch, seqlen = common_inputs["input_ids"].shape
            past_length = seqlen + 2
            if "attention_mask" in common_inputs:
                common_inputs["attention_mask"] = _extended_mask(
                    common_inputs["attention_mask"], past_length, framework
                )
            shape = self.past_shape(batch, past_length)
            # a tensor per key and value: torch.export would fold one object passed twice into one graph input
            common_inputs["past_key_values"] = [
                tuple(to_framework(np.zeros(shape, dtype=np.float32), framework) for _ in range(2))
                for _ in range(self.num_layers)
            ]
        return common_inputs

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """With past: random past values (zeros would hide a wrong cache) and row 0's first two past
        positions masked, as left padding leaves them in a generation cache; the last row stays right-padded."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        if self.use_past and "past_key_values" in inputs:
            rng = np.random.default_rng(2)
            inputs["past_key_values"] = [
                tuple(_random_like(tensor, rng, framework) for tensor in layer) for layer in inputs["past_key_values"]
            ]
            if "attention_mask" in inputs and inputs["attention_mask"].shape[0] > 1:
                mask = as_numpy(inputs["attention_mask"]).copy()
                mask[0, :2] = 0
                inputs["attention_mask"] = to_framework(mask, framework)
        return inputs

    def fill_with_past_key_values_(
        self, inputs_or_outputs: Mapping[str, Mapping[int, str]], direction: str, inverted_values_shape: bool = False
    ) -> None:
        """Add ``past_key_values.{i}.key|value`` (inputs) or ``present.{i}.key|value`` (outputs) with their axes."""
        if direction not in ("inputs", "outputs"):
            raise ValueError(f'direction must either be "inputs" or "outputs", but {direction} was given')
        name = "past_key_values" if direction == "inputs" else "present"
        target: Any = inputs_or_outputs
        value_axis = 1 if inverted_values_shape else 2
        length = "past_sequence" if direction == "inputs" else "past_sequence + sequence"
        for i in range(self.num_layers):
            target[f"{name}.{i}.key"] = {0: "batch", 2: length}
            target[f"{name}.{i}.value"] = {0: "batch", value_axis: length}

    def _flatten_past_key_values_(self, flattened_output: dict[str, Any], name: str, idx: int, t: Any) -> None:
        flattened_output[f"{name}.{idx}.key"] = t[0]
        flattened_output[f"{name}.{idx}.value"] = t[1]

    def flatten_output_collection_property(self, name: str, field: Iterable[Any]) -> dict[str, Any]:  # type: ignore[override]
        flattened_output: dict[str, Any] = {}
        if name in ("present", "past_key_values"):
            for idx, t in enumerate(field):
                self._flatten_past_key_values_(flattened_output, name, idx, t)
        else:
            flattened_output = super().flatten_output_collection_property(name, field)
        return flattened_output


class OnnxSeq2SeqConfigWithPast(OnnxConfigWithPast):
    """Config of an encoder-decoder model, with optional decoder past key/values."""

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        common_outputs = OnnxConfig.outputs.fget(self)  # type: ignore[attr-defined]
        for name, axes_names in common_outputs.items():
            sequence_name = "encoder_sequence" if "encoder" in name else "decoder_sequence"
            for axis_idx, axis_name in axes_names.items():
                if "sequence" in axis_name:
                    axes_names[axis_idx] = sequence_name
                else:
                    axes_names[axis_idx] = axis_name
        if self.use_past:
            self.fill_with_past_key_values_(common_outputs, direction="outputs")
        return common_outputs

    @property
    def num_layers(self) -> tuple[int, int]:  # type: ignore[override]
        """(encoder layers, decoder layers) read from the model config; ``encoder_layers``/``decoder_layers`` win
        over ``num_layers``, which such configs alias to the encoder's."""
        if hasattr(self._config, "encoder_layers") and hasattr(self._config, "decoder_layers"):
            return (self._config.encoder_layers, self._config.decoder_layers)
        try:
            num_layers = super().num_layers
        except AttributeError:
            raise AttributeError(
                "could not find the number of encoder and decoder layers attributes in the model configuration,"
                " override the num_layers property of the model OnnxConfig to solve this"
            ) from None
        return (num_layers, num_layers)

    @property
    def num_attention_heads(self) -> tuple[int, int]:  # type: ignore[override]
        """(encoder heads, decoder heads) read from the model config; ``encoder_attention_heads``/
        ``decoder_attention_heads`` win over ``num_attention_heads``, which such configs alias to the encoder's."""
        config = self._config
        if hasattr(config, "encoder_attention_heads") and hasattr(config, "decoder_attention_heads"):
            return (config.encoder_attention_heads, config.decoder_attention_heads)
        try:
            num_attention_heads = super().num_attention_heads
        except AttributeError:
            raise AttributeError(
                "could not find the number of attention heads for the encoder and the decoder attributes in the"
                " model configuration, override the num_attention_heads property of the model OnnxConfig to solve"
                " this"
            ) from None
        return (num_attention_heads, num_attention_heads)

    @property
    def encoder_length_is_dynamic(self) -> bool:
        """Whether the encoder's output length follows its input's (text). An onnxcore addition: an encoder fed a
        fixed-size input (Whisper's ``2 * max_source_positions`` frames) returns a fixed length, so the
        cross-attention past and the split decoder's ``encoder_hidden_states`` declare that axis static."""
        return True

    def encoder_output_length(self, encoder_inputs: Mapping[str, Any]) -> int:
        """Length of the encoder's output (the cross-attention past) for these encoder inputs: the token count.

        An onnxcore addition, used for the split layout's dummy inputs; speech models, whose encoder shortens
        its input, override it.
        """
        return int(encoder_inputs["input_ids"].shape[1])

    def generate_dummy_inputs(  # type: ignore[override]
        self,
        tokenizer: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework: Any = None,
    ) -> Mapping[str, Any]:
        encoder_inputs = OnnxConfig.generate_dummy_inputs(
            self, tokenizer, batch_size=batch_size, seq_length=seq_length, is_pair=is_pair, framework=framework
        )
        decoder_seq_length = seq_length if not self.use_past else 1
        decoder_inputs = OnnxConfig.generate_dummy_inputs(
            self, tokenizer, batch_size=batch_size, seq_length=decoder_seq_length, is_pair=is_pair, framework=framework
        )
        if self.use_past:  # one new token, as a decoding loop feeds it (BART's tokenizer would add two specials)
            decoder_inputs = {
                name: tensor[:, :1] if len(tensor.shape) > 1 else tensor for name, tensor in decoder_inputs.items()
            }
        common_inputs = dict(encoder_inputs)
        common_inputs.update({f"decoder_{name}": tensor for name, tensor in decoder_inputs.items()})
        if self.use_past:
            batch, encoder_length = common_inputs["input_ids"].shape
            past_length = encoder_length + 3  # follows the requested length, so validation varies it too
            if "decoder_attention_mask" in common_inputs:
                mask = common_inputs["decoder_attention_mask"]
                common_inputs["decoder_attention_mask"] = _extended_mask(mask, past_length, framework)
            common_inputs["past_key_values"] = self.dummy_past_key_values(
                batch, past_length, encoder_length, framework=framework
            )
        return common_inputs

    def dummy_past_key_values(
        self,
        batch: int,
        decoder_length: int,
        encoder_length: int,
        rng: np.random.Generator | None = None,
        framework: Any = "pt",
    ) -> list[tuple[Any, ...]]:
        """(decoder key, decoder value, encoder key, encoder value) per decoder layer, as ``framework`` tensors:
        zeros, or normal values drawn from ``rng``. An onnxcore addition, shared by configs that build their own
        dummies."""

        def tensor(shape: tuple[int, ...]) -> Any:
            array = np.zeros(shape) if rng is None else rng.standard_normal(shape)
            return to_framework(array.astype(np.float32), framework)

        decoder_shape, encoder_shape = self.past_shape(batch, decoder_length), self.past_shape(batch, encoder_length)
        shapes = (decoder_shape, decoder_shape, encoder_shape, encoder_shape)
        return [tuple(tensor(shape) for shape in shapes) for _ in range(self.num_layers[1])]

    def fill_with_past_key_values_(
        self, inputs_or_outputs: Mapping[str, Mapping[int, str]], direction: str, inverted_values_shape: bool = False
    ) -> None:
        if direction not in ("inputs", "outputs"):
            raise ValueError(f'direction must either be "inputs" or "outputs", but {direction} was given')
        name = "past_key_values" if direction == "inputs" else "present"
        decoder_sequence = "past_decoder_sequence" if direction == "inputs" else "past_decoder_sequence + sequence"
        target: Any = inputs_or_outputs
        encoder_axes = {0: "batch", 2: "past_encoder_sequence"} if self.encoder_length_is_dynamic else {0: "batch"}
        for i in range(self.num_layers[1]):  # every decoder layer caches self- and cross-attention
            target[f"{name}.{i}.decoder.key"] = {0: "batch", 2: decoder_sequence}
            target[f"{name}.{i}.decoder.value"] = {0: "batch", 2: decoder_sequence}
            target[f"{name}.{i}.encoder.key"] = dict(encoder_axes)
            target[f"{name}.{i}.encoder.value"] = dict(encoder_axes)

    def _flatten_past_key_values_(self, flattened_output: dict[str, Any], name: str, idx: int, t: Any) -> None:
        flattened_output[f"{name}.{idx}.decoder.key"] = t[0]
        flattened_output[f"{name}.{idx}.decoder.value"] = t[1]
        flattened_output[f"{name}.{idx}.encoder.key"] = t[2]
        flattened_output[f"{name}.{idx}.encoder.value"] = t[3]
