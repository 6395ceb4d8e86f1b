"""TensorFlow backend: ``tf2onnx.convert.from_function`` on a ``tf.function`` whose signature is
the config's inputs (int64, as the PyTorch export takes) and whose result is a dict of the config's outputs.

tf2onnx keeps input names and dict output names; its dynamic dims come out as ``unk__N`` and are renamed to the
config's axis names by :func:`onnx_files.finalize`, which also checks the contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto

from ..config import OnnxConfig
from ..config_contract import check_axes_fit
from ..errors import ExportFailedError, first_line, model_forward_failures
from ..frameworks import check_tensorflow_size
from ..frameworks.tensorflow import import_tensorflow
from ..model_inputs import config_overrides, flatten_named, forward_arguments
from ..outputs import select_declared_outputs
from . import onnx_files
from .base import Exporter
from .opsets import check_opset

_FIXES_APPLIED = False
_GRAPH_ATTRIBUTES = (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS)


def _apply_tf2onnx_fixes() -> None:
    """Fixes to tf2onnx 1.17, applied once.

    - TF 2.21's exact GELU emits ``Erfc``, which tf2onnx cannot convert yet writes anyway (an invalid graph):
      write it as ``1 - Erf(x)``.
    - T5's attention with a past slices its position bias with ``XlaDynamicSlice``, which tf2onnx lacks: write it
      as ``Slice`` with XLA's clamped start.
    - Its back-to-back optimizer merges ``Reshape(Reshape(x, a), b)`` into ``Reshape(x, b)``, which is wrong when
      ``b`` copies a dimension (a 0 in ONNX's Reshape): BERT's multiple-choice graph flattened (batch, choices,
      length) and then reshaped the mask with a copied batch dimension, so the merged graph failed to run.
      Keep such pairs.
    """
    global _FIXES_APPLIED
    if _FIXES_APPLIED:
        return
    from tf2onnx import utils
    from tf2onnx.handler import tf_op
    from tf2onnx.optimizer import back_to_back_optimizer

    @tf_op("Erfc")
    class Erfc:  # registered by the decorator
        @classmethod
        def version_9(cls, ctx: Any, node: Any, **kwargs: Any) -> None:
            x = node.input[0]
            erf = ctx.make_node("Erf", [x])
            one = ctx.make_const(
                utils.make_name("one"), np.array(1, dtype=utils.map_onnx_to_numpy_type(ctx.get_dtype(x)))
            )
            ctx.remove_node(node.name)
            ctx.make_node("Sub", [one.output[0], erf.output[0]], outputs=node.output, name=node.name)

    @tf_op("XlaDynamicSlice")
    class XlaDynamicSlice:  # registered by the decorator
        @classmethod
        def version_10(cls, ctx: Any, node: Any, **kwargs: Any) -> None:
            x, starts, sizes = node.input
            starts, sizes = (
                ctx.make_node("Cast", [name], attr={"to": TensorProto.INT64}).output[0] for name in (starts, sizes)
            )
            shape = ctx.make_node("Shape", [x]).output[0]
            limit = ctx.make_node("Sub", [shape, sizes]).output[0]
            zero = ctx.make_const(utils.make_name("zero"), np.array(0, dtype=np.int64)).output[0]
            # XLA clamps the start so that the slice fits; ONNX Slice would shorten it instead
            begin = ctx.make_node("Max", [zero, ctx.make_node("Min", [starts, limit]).output[0]]).output[0]
            end = ctx.make_node("Add", [begin, sizes]).output[0]
            ctx.remove_node(node.name)
            ctx.make_node("Slice", [x, begin, end], outputs=node.output, name=node.name)

    rules = back_to_back_optimizer._func_map
    merge_reshapes = rules.get(("Reshape",))
    if merge_reshapes is None:  # a tf2onnx without this rule needs no fix
        _FIXES_APPLIED = True
        return

    def merge_reshapes_without_copied_dims(graph: Any, node: Any, consumers: list[Any]) -> list[Any]:
        if len(consumers) == 1 and consumers[0].type == "Reshape":
            shape = consumers[0].inputs[1]
            if not shape.is_const() or 0 in shape.get_tensor_value(as_list=True):
                return []
        return merge_reshapes(graph, node, consumers)

    rules[("Reshape",)] = merge_reshapes_without_copied_dims
    _FIXES_APPLIED = True


def export_tensorflow(
    preprocessor: Any, model: Any, config: OnnxConfig, opset: int, output: Path, exporter: Exporter
) -> tuple[list[str], list[str]]:
    """Export a TF model (or a split layout's TF part) to ``output``; returns (input names, output names)."""
    tf = import_tensorflow()
    import tf2onnx

    exporter_name = exporter.name
    check_opset(opset, config, exporter)
    # a hub checkpoint's size is known only now, loaded: still before anything is traced or converted
    whole = getattr(model, "model", model)  # a split layout's decoder part wraps the whole Keras model
    weight_bytes = sum(int(np.prod(weight.shape)) * weight.dtype.size for weight in whole.weights)
    check_tensorflow_size(weight_bytes, type(model).__name__)
    _apply_tf2onnx_fixes()
    dummy = flatten_named(config, config.generate_dummy_inputs(preprocessor, framework="np"))
    inputs, outputs = dict(config.inputs), dict(config.outputs)
    missing = [name for name in inputs if name not in dummy]
    if missing:
        raise ExportFailedError(
            f"{type(config).__name__} declares input(s) {', '.join(missing)} that its dummy inputs do not make"
            f" (they are {', '.join(dummy)})."
        )
    check_axes_fit(config, {name: np.shape(dummy[name]) for name in inputs})
    signature = []
    for name in inputs:
        array = np.asarray(dummy[name])
        shape = [None if axis in inputs[name] else size for axis, size in enumerate(array.shape)]
        dtype = tf.int64 if np.issubdtype(array.dtype, np.integer) else tf.as_dtype(array.dtype)
        signature.append(tf.TensorSpec(shape, dtype, name=name))

    # AutoGraph converts only the model's call: converting onnxcore's and the plugin's Python (config properties)
    # breaks on ordinary method calls and gains nothing, as none of it branches on tensors
    plain = tf.autograph.experimental.do_not_convert

    @tf.function(input_signature=signature)
    def declared(*args: Any) -> dict[str, Any]:
        arguments = plain(forward_arguments)(config, model, dict(zip(inputs, args)))
        return plain(select_declared_outputs)(config, model(**arguments))

    with config_overrides(model, config), model_forward_failures({name: np.shape(dummy[name]) for name in inputs}):
        # run once before converting, as the PyTorch export does: a model that cannot run its inputs is named
        model(**forward_arguments(config, model, {name: tf.constant(dummy[name]) for name in inputs}))
    try:
        with config_overrides(model, config):
            converted, _ = tf2onnx.convert.from_function(
                declared, input_signature=signature, opset=opset, output_path=str(output)
            )
    except Exception as exc:  # any converter failure becomes one explained line
        # TensorFlow's tracing errors start with "in user code:" and end with the actual message
        message = [line.strip() for line in str(exc).splitlines() if line.strip()][-1:] or [first_line(exc)]
        raise ExportFailedError(f"tf2onnx failed: {type(exc).__name__}: {message[0]}") from exc
    unconverted = sorted(_unconverted_ops(converted.graph))
    if unconverted:  # tf2onnx writes them as they are and carries on
        raise ExportFailedError(
            f"tf2onnx could not convert the TensorFlow op(s) {', '.join(unconverted)} of {type(model).__name__};"
            " export this feature from PyTorch weights (--framework pt), or report it."
        )
    onnx_files.finalize(
        output, opset=opset, inputs=inputs, outputs=outputs, exporter=exporter_name, external_data=False
    )
    return list(inputs), list(outputs)


def _unconverted_ops(graph: onnx.GraphProto) -> set[str]:
    """Op types in ``graph`` (and its subgraphs) that are not ONNX operators: TF ops tf2onnx left as they were."""
    found = set()
    for node in graph.node:
        if not onnx.defs.has(node.op_type, node.domain):
            found.add(node.op_type)
        for attribute in node.attribute:
            for subgraph in [attribute.g, *attribute.graphs] if attribute.type in _GRAPH_ATTRIBUTES else []:
                found |= _unconverted_ops(subgraph)
    return found
