"""TensorFlow backend (WIP, issue 6): ``tf2onnx.convert.from_function`` on a ``tf.function`` whose signature is
the config's inputs (int64, as the PyTorch export takes) and whose result is a dict of the config's outputs.

tf2onnx keeps input names and dict output names; its dynamic dims come out as ``unk__N`` and are renamed to the
config's axis names by :func:`onnx_files.finalize`, which also checks the contract.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..config import OnnxConfig
from ..errors import ExportFailedError, OpsetError, first_line
from ..outputs import select_declared_outputs
from . import onnx_files

TF2ONNX_MAX_OPSET = 18
_ERFC_REGISTERED = False


def _register_erfc() -> None:
    """TF 2.21's exact GELU emits ``Erfc``, which tf2onnx cannot convert yet writes anyway (an invalid graph):
    write it as ``1 - Erf(x)``."""
    global _ERFC_REGISTERED
    if _ERFC_REGISTERED:
        return
    from tf2onnx import utils
    from tf2onnx.handler import tf_op

    @tf_op("Erfc")
    class Erfc:  # noqa: F841 - registered by the decorator
        @classmethod
        def version_9(cls, ctx: Any, node: Any, **kwargs: Any) -> None:
            x = node.input[0]
            erf = ctx.make_node("Erf", [x])
            one = ctx.make_const(
                utils.make_name("one"), np.array(1, dtype=utils.map_onnx_to_numpy_type(ctx.get_dtype(x)))
            )
            ctx.remove_node(node.name)
            ctx.make_node("Sub", [one.output[0], erf.output[0]], outputs=node.output, name=node.name)

    _ERFC_REGISTERED = True


def export_tensorflow(
    preprocessor: Any, model: Any, config: OnnxConfig, opset: int, output: Path
) -> tuple[list[str], list[str]]:
    """Export a TF model to ``output``; returns (input names, output names) as written."""
    import tensorflow as tf
    import tf2onnx

    if opset > TF2ONNX_MAX_OPSET:
        raise OpsetError(
            f"tf2onnx writes opsets up to {TF2ONNX_MAX_OPSET}, not {opset}; use --opset {TF2ONNX_MAX_OPSET}."
        )
    _register_erfc()
    dummy = config.generate_dummy_inputs(preprocessor, framework="tf")
    inputs, outputs = dict(config.inputs), dict(config.outputs)
    signature = [
        tf.TensorSpec(
            [None if axis in inputs[name] else size for axis, size in enumerate(dummy[name].shape)],
            tf.int64 if dummy[name].dtype.is_integer else dummy[name].dtype,
            name=name,
        )
        for name in inputs
    ]

    @tf.function(input_signature=signature)
    def declared(*args: Any) -> dict[str, Any]:
        result = model(**dict(zip(inputs, args)))
        return select_declared_outputs(config, result)

    try:
        tf2onnx.convert.from_function(declared, input_signature=signature, opset=opset, output_path=str(output))
    except Exception as exc:  # any converter failure becomes one explained line
        raise ExportFailedError(f"tf2onnx failed: {type(exc).__name__}: {first_line(exc)}") from exc
    onnx_files.finalize(output, opset=opset, inputs=inputs, outputs=outputs, exporter="tf2onnx", external_data=False)
    return list(inputs), list(outputs)
