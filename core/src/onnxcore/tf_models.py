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


def import_tensorflow() -> Any:
    """``tensorflow``, imported the way transformers' TF classes need it: Keras 2 (``tf-keras``) as ``tf.keras``,
    and without TensorFlow's C++ start-up chatter on the CLI's output."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
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
    """TF counterpart of the split layout's PyTorch decoder module: ``model`` called with decoder tokens, the
    encoder's mask and output (or, with a past, only the cache)."""
    tf = import_tensorflow()
    from transformers.modeling_tf_outputs import TFBaseModelOutput

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
            if encoder_hidden_states is None:  # cross-attention reads the cache; the states give only the shape
                key = past_key_values[0][2]
                shape = tf.stack([tf.shape(key)[0], tf.shape(key)[2], self.config.hidden_size])
                encoder_hidden_states = tf.zeros(shape, dtype=key.dtype)
            arguments: dict[str, Any] = {
                # Keras wants the first argument passed; the encoder output stands in for it
                self.model.main_input_name: None,
                "decoder_input_ids": input_ids,
                "encoder_outputs": TFBaseModelOutput(last_hidden_state=encoder_hidden_states),
            }
            if encoder_attention_mask is not None:
                arguments["attention_mask"] = encoder_attention_mask
            if past_key_values is not None:
                arguments["past_key_values"] = past_key_values
            return self.model(**arguments, training=False)

        __call__ = call

    return TFSeq2SeqDecoder()
