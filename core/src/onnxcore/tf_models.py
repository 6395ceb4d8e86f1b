"""How onnxcore runs TensorFlow models: importing TensorFlow for transformers, and the calls that differ from
PyTorch's (past as per-layer tuples, position ids from the mask in TF ops, the split layout's decoder).

Imported only when a TensorFlow model is exported, validated or generated from, so ``import onnxcore`` stays
free of TensorFlow.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

TF_INSTALL = 'pip install "onnxcore[tf]" && pip install --no-deps tf-keras==2.21.0'


def tensorflow_environment() -> None:
    """Settings TensorFlow reads when first imported (by onnxcore or by transformers): Keras 2 (``tf-keras``) as
    ``tf.keras``, as transformers' TF classes need, and no C++ start-up chatter on the CLI's output."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def import_tensorflow() -> Any:
    """``tensorflow``, imported with :func:`tensorflow_environment`."""
    tensorflow_environment()
    import tensorflow as tf

    return tf


def is_tensorflow_model(model: Any) -> bool:
    """Whether ``model`` is a TensorFlow (Keras or ``tf.Module``) object, without importing TensorFlow."""
    return any(cls.__module__.split(".")[0] in ("tensorflow", "tf_keras", "keras") for cls in type(model).__mro__)


def framework_label(model: Any) -> str:
    """ "TensorFlow" or "PyTorch", for messages that name the reference model."""
    return "TensorFlow" if is_tensorflow_model(model) else "PyTorch"


def past_tuples(layers: Iterable[tuple[Any, ...]]) -> tuple[tuple[Any, ...], ...]:
    """The past as transformers' TF models take it: a tuple per layer (GPT-2 stacks each pair itself)."""
    return tuple(tuple(layer) for layer in layers)


def position_ids_from_mask(attention_mask: Any, input_ids: Any) -> Any:
    """TF counterpart of :func:`onnxcore.model_inputs.generation_position_ids`, with the lengths taken at run time
    (the traced signature's dims are unknown). Runs inside the traced function, after TensorFlow is imported."""
    import tensorflow as tf

    mask = tf.cast(attention_mask, tf.int64)
    counted = tf.cumsum(mask, axis=-1) - 1
    plain = tf.broadcast_to(tf.range(tf.shape(mask, out_type=tf.int64)[-1], dtype=tf.int64)[None, :], tf.shape(mask))
    positions = tf.where(mask > 0, counted, plain)
    return positions[:, tf.shape(mask)[-1] - tf.shape(input_ids)[-1] :]


def tf_decoder(model: Any) -> Any:
    """``model`` called as a decoder (:func:`onnxcore.seq2seq.decoder_arguments`), as a ``tf.Module`` the TF
    exporter traces: the split layout's counterpart of the PyTorch decoder module."""
    tf = import_tensorflow()
    from transformers.modeling_tf_outputs import TFBaseModelOutput

    from .seq2seq import decoder_arguments

    def zeros(key: Any, hidden_size: int) -> Any:
        return tf.zeros(tf.stack([tf.shape(key)[0], tf.shape(key)[2], hidden_size]), dtype=key.dtype)

    class TFSeq2SeqDecoder(tf.Module):
        def __init__(self) -> None:
            super().__init__(name="seq2seq_decoder")
            self.model = model
            self.config = model.config

        def call(
            self,
            input_ids: Any,
            encoder_attention_mask: Any = None,
            encoder_hidden_states: Any = None,
            past_key_values: Any = None,
        ) -> Any:
            arguments = decoder_arguments(
                self.model,
                input_ids,
                encoder_attention_mask,
                encoder_hidden_states,
                past_key_values,
                TFBaseModelOutput,
                zeros,
            )
            return self.model(**arguments, training=False)

        __call__ = call

    return TFSeq2SeqDecoder()
