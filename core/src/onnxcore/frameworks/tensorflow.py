"""TensorFlow: how core makes tensors, runs, wraps and generates with transformers' TF models; the same
functions as :mod:`.pytorch`.

Imported through :attr:`onnxcore.frameworks.Framework.ops` (and by the tf2onnx exporter) only; it sets the
environment TensorFlow reads at import (Keras 2 for transformers' TF classes) before importing it.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from . import TENSORFLOW

TENSORFLOW.set_environment()  # before TensorFlow's first import, whoever imports this module
import tensorflow as tf  # noqa: E402
from transformers import TFGenerationMixin  # noqa: E402
from transformers.modeling_tf_outputs import TFBaseModelOutput  # noqa: E402


def import_tensorflow() -> Any:
    """``tensorflow``, imported with the environment transformers' TF classes need."""
    return tf


def version() -> str:
    """The installed TensorFlow version."""
    return str(tf.__version__)


def to_tensor(array: np.ndarray) -> Any:
    """A numpy array as a TF tensor."""
    return tf.convert_to_tensor(array)


def model_dtype(model: Any) -> str:
    """``"float32"``: TensorFlow exports are float32 (``--dtype`` is refused for them)."""
    return "float32"


def widened(model: Any) -> contextlib.AbstractContextManager[Any]:
    """``model`` as it is: TensorFlow exports are float32."""
    return contextlib.nullcontext(model)


def at_model_dtype(tensor: Any, model: Any) -> Any:
    """``tensor`` itself: TensorFlow exports are float32 (``--dtype`` is refused for them)."""
    return tensor


def no_grad() -> contextlib.AbstractContextManager[Any]:
    """Nothing to turn off: TensorFlow records gradients only inside a ``GradientTape``."""
    return contextlib.nullcontext()


def for_inference(model: Any) -> Any:
    """``model`` as it is: Keras models run in inference mode unless called with ``training=True``."""
    return model


def past(layers: Iterable[tuple[Any, ...]]) -> Any:
    """The past as transformers' TF models take it: a tuple per layer (GPT-2 stacks each pair itself)."""
    return tuple(tuple(layer) for layer in layers)


def position_ids(attention_mask: Any, input_ids: Any) -> Any:
    """Position ids of ``input_ids``'s tokens as ``generate()`` derives them from the mask (see
    :func:`onnxcore.frameworks.pytorch.generation_position_ids`), with the lengths taken at run time (the traced
    signature's dims are unknown)."""
    mask = tf.cast(attention_mask, tf.int64)
    counted = tf.cumsum(mask, axis=-1) - 1
    plain = tf.broadcast_to(tf.range(tf.shape(mask, out_type=tf.int64)[-1], dtype=tf.int64)[None, :], tf.shape(mask))
    positions = tf.where(mask > 0, counted, plain)
    return positions[:, tf.shape(mask)[-1] - tf.shape(input_ids)[-1] :]


def encoder_output(last_hidden_state: Any) -> Any:
    """The encoder's output as transformers' TF models take it back."""
    return TFBaseModelOutput(last_hidden_state=last_hidden_state)


def zeros_states(key: Any, hidden_size: int) -> Any:
    """Zero encoder states of the batch and length (dims 0 and 2) of a cached encoder key, sized at run time."""
    return tf.zeros(tf.stack([tf.shape(key)[0], tf.shape(key)[2], hidden_size]), dtype=key.dtype)


def wrap_module(model: Any, call: type) -> Any:
    """``call`` around ``model`` as a ``tf.Module``, which the TF exporter traces (called as ``module(...)``)."""

    class Module(call, tf.Module):  # type: ignore[misc,valid-type]
        call_options = {"training": False}

        def __init__(self) -> None:
            tf.Module.__init__(self, name="seq2seq_decoder")
            self.model = model

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            return self.forward(*args, **kwargs)

    Module.__name__ = Module.__qualname__ = call.__name__
    return Module()


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Weights drawn from ``seed`` inside the context. Keras draws from Python's and NumPy's generators too (their
    states are restored); TensorFlow has no way to restore its global seed, so it stays set."""
    python_state, numpy_state = random.getstate(), np.random.get_state()
    tf.keras.utils.set_random_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def generate(model: Any, inputs: Mapping[str, np.ndarray], greedy: Any, past_argument: str) -> np.ndarray:
    """``TFGenerationMixin.generate`` (the generic one) on ``inputs``; ``past_argument`` is not needed (TF's
    generate() makes its own past)."""
    # TF generate() appends int32 mask columns, so integer inputs go in as int32
    arguments = {
        name: tf.constant(value.astype(np.int32) if np.issubdtype(value.dtype, np.integer) else value)
        for name, value in inputs.items()
    }
    return TFGenerationMixin.generate(model, **arguments, generation_config=greedy).numpy()
