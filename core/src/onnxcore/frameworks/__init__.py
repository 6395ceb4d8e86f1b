"""The one seam between core and the deep-learning frameworks: :func:`framework_of` a model, or
:func:`get_framework` by name (``"pt"``, ``"tf"``).

A :class:`Framework` answers what needs no import (its label, what it needs installed, the environment it reads
at import) and loads its :attr:`~Framework.ops` module (:mod:`.pytorch`, :mod:`.tensorflow`) only on first use,
so ``import onnxcore`` stays free of torch, TensorFlow and transformers. Those two modules are the only ones
outside ``exporters/`` that name a framework; both implement :class:`FrameworkOps`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import importlib.util
import os
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, cast

import numpy as np

from ..errors import FrameworkError, TensorFlowTooLargeError


class FrameworkOps(Protocol):
    """What core asks of a framework; :mod:`.pytorch` and :mod:`.tensorflow` both provide it."""

    def version(self) -> str:
        """The installed framework's version."""

    def to_tensor(self, array: np.ndarray) -> Any:
        """A numpy array as the framework's tensor."""

    def model_dtype(self, model: Any) -> str:
        """``model``'s float dtype by torch's name (``"float16"``): ONNX Runtime's CPU provider lacks some kernels
        below float32."""

    def widened(self, model: Any) -> contextlib.AbstractContextManager[Any]:
        """A half-precision ``model`` at float32 inside the context, in place (its rounding is measured against
        it), and as it was after."""

    def at_model_dtype(self, tensor: Any, model: Any) -> Any:
        """A float ``tensor`` at ``model``'s dtype (TensorFlow exports are float32: the tensor itself)."""

    def no_grad(self) -> contextlib.AbstractContextManager[Any]:
        """Inference only: no gradients recorded (a null context where there is nothing to turn off)."""

    def for_inference(self, model: Any) -> Any:
        """``model`` ready to run as the reference (on the CPU, in eval mode)."""

    def past(self, layers: Iterable[tuple[Any, ...]]) -> Any:
        """The past as the framework's transformers models take it, from per-layer tensors."""

    def position_ids(self, attention_mask: Any, input_ids: Any) -> Any:
        """Position ids of ``input_ids``'s tokens as ``generate()`` derives them from the mask."""

    def encoder_output(self, last_hidden_state: Any) -> Any:
        """An encoder's output as the framework's transformers models take it back (``BaseModelOutput``)."""

    def zeros_states(self, key: Any, hidden_size: int) -> Any:
        """Zero encoder states of the batch and length of a cached encoder ``key``."""

    def wrap_module(self, model: Any, call: type) -> Any:
        """``call`` (a framework-neutral class with ``forward``) around ``model``, as a module the exporter
        traces."""

    def seeded(self, seed: int) -> contextlib.AbstractContextManager[Any]:
        """Random weights drawn from ``seed`` inside the context."""

    def generate(self, model: Any, inputs: Mapping[str, np.ndarray], greedy: Any, past_argument: str) -> np.ndarray:
        """transformers' generic ``generate()`` on numpy inputs, as numpy token ids."""


@dataclasses.dataclass(frozen=True)
class Framework:
    """One framework: what to call it, what it needs installed, the environment it reads when first imported,
    and its operations, loaded on first use."""

    name: str  # transformers' TensorType: "pt" or "tf"
    label: str  # for messages that name the reference model
    roots: tuple[str, ...]  # top-level modules of its model classes
    requires: tuple[str, ...]  # modules that must be importable to load and export its models
    needs: str  # what must be installed, in words
    install: str
    distributions: tuple[str, ...]  # whose versions make an export reproducible
    input_framework: str  # what its dummy inputs are made as (TF's past is made from numpy)
    environment: Mapping[str, str]
    module: str

    def set_environment(self) -> None:
        """Settings the framework reads when first imported, by onnxcore or by transformers (the caller's own
        values win)."""
        for key, value in self.environment.items():
            os.environ.setdefault(key, value)

    @property
    def installed(self) -> bool:
        """Whether every required module can be imported (none is imported to find out)."""
        return all(importlib.util.find_spec(module) is not None for module in self.requires)

    @property
    def ops(self) -> FrameworkOps:
        """The framework's module, imported on first use (here, not at the top: keeps ``import onnxcore`` light)."""
        return cast(FrameworkOps, importlib.import_module(f".{self.module}", __name__))


PYTORCH = Framework(
    name="pt",
    label="PyTorch",
    roots=("torch",),
    requires=("torch",),
    needs="PyTorch",
    install="pip install torch==2.13.0",
    distributions=("torch",),
    input_framework="pt",  # transformers.onnx-style configs may make their past in torch only
    environment={},
    module="pytorch",
)
TENSORFLOW = Framework(
    name="tf",
    label="TensorFlow",
    roots=("tensorflow", "tf_keras", "keras"),
    requires=("tensorflow", "tf2onnx", "tf_keras"),  # transformers' TF classes need Keras 2
    needs="TensorFlow (with tf2onnx and tf-keras)",
    install='pip install "onnxcore[tf]" && pip install --no-deps tf-keras==2.21.0',
    distributions=("tensorflow-cpu", "tf-keras", "tf2onnx"),
    input_framework="np",
    # Keras 2 (tf-keras) as tf.keras, as transformers' TF classes need; no C++ start-up chatter on the CLI's output
    environment={"TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"},
    module="tensorflow",
)
FRAMEWORKS = {framework.name: framework for framework in (PYTORCH, TENSORFLOW)}


def get_framework(name: str) -> Framework:
    """The framework called ``name`` (``"pt"`` or ``"tf"``)."""
    try:
        return FRAMEWORKS[name]
    except KeyError:
        raise FrameworkError(f"framework must be 'pt' or 'tf', got {name!r}.") from None


def framework_of(model: Any) -> Framework:
    """The framework of ``model``'s class, found without importing any framework; PyTorch for anything that is
    not a TensorFlow (Keras or ``tf.Module``) object."""
    roots = {cls.__module__.split(".")[0] for cls in type(model).__mro__}
    return TENSORFLOW if roots & set(TENSORFLOW.roots) else PYTORCH


def is_tensorflow_model(model: Any) -> bool:
    """Whether ``model`` is a TensorFlow (Keras or ``tf.Module``) object, without importing TensorFlow."""
    return framework_of(model) is TENSORFLOW


def check_tensorflow_size(weight_bytes: int, model: str) -> None:
    """Refuse a TensorFlow export of ``model`` (named by its path or class) whose ``weight_bytes`` one protobuf
    cannot hold: tf2onnx writes the graph and its weights as one (the PyTorch exporters write external data)."""
    from ..onnx_wire import PROTOBUF_LIMIT  # lazily: it imports onnx

    if weight_bytes > PROTOBUF_LIMIT:
        raise TensorFlowTooLargeError(
            f"{model} has {weight_bytes / 1e9:.2f} GB of weights, and tf2onnx writes a graph and its"
            " weights as one protobuf, which holds at most 2.15 GB; export it from the PyTorch weights"
            " (--framework pt), which keeps them in external data."
        )
