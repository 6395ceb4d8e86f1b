"""The TorchScript exporter: ``torch.onnx.export(dynamo=False)``, fast (under a second per tiny model) and able to
write the low opsets of transformers.onnx's configs, once core's tracer patches are in place."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from ..patching import TORCHSCRIPT_PATCHES
from .pytorch import TorchExporter

_WEIGHT_FREE = threading.local()  # set while this thread traces without weights
_PATCH_LOCK = threading.Lock()
_real_shape_inference: Any = None


def _shape_inference(graph: Any, params_dict: Any, opset: int) -> Any:
    """torch's whole-graph ONNX shape inference, without the weights' values on a weight-free trace."""
    if getattr(_WEIGHT_FREE, "active", False):
        params_dict = {}
    return _real_shape_inference(graph, params_dict, opset)


@contextlib.contextmanager
def _types_only_shape_inference() -> Iterator[None]:
    """Run torch's ONNX shape inference on the weights' types alone.

    Given the weights' values, torch serializes them into a protobuf to run onnx's shape inference on (measured on
    a 774M GPT-2: 0.75 GB more memory and 12 of the trace's 15 s). A weight-free trace never writes them, and the
    graph's inputs carry their types and shapes, which is all shape inference reads of them. Installed once for
    the process; other threads' exports pass their values through unchanged.
    """
    global _real_shape_inference
    import torch

    with _PATCH_LOCK:
        if _real_shape_inference is None:
            _real_shape_inference = torch._C._jit_pass_onnx_graph_shape_type_inference
            torch._C._jit_pass_onnx_graph_shape_type_inference = _shape_inference
    _WEIGHT_FREE.active = True
    try:
        yield
    finally:
        _WEIGHT_FREE.active = False


class TorchScriptExporter(TorchExporter):
    """TorchScript tracing.

    Attention ``eager``: it cannot write SDPA below opset 14, and the transformers.onnx default opsets (BERT 11,
    GPT-2 13) must keep working; it cannot trace transformers' vmap masks either, hence the patches.
    """

    name = "torchscript"
    summary = "TorchScript (dynamo=False)"
    attention = "eager"
    patches = TORCHSCRIPT_PATCHES

    def opset_range(self) -> tuple[int, int]:
        from torch.onnx import _constants

        return 7, _constants.ONNX_TORCHSCRIPT_EXPORTER_MAX_OPSET

    def options(
        self, inputs: Mapping[str, Mapping[int, str]], outputs: Mapping[str, Mapping[int, str]], external_data: bool
    ) -> dict[str, Any]:
        return {"dynamo": False, "dynamic_axes": {**inputs, **outputs}, "do_constant_folding": True}

    def weight_free_options(self) -> dict[str, Any]:
        """No parameters in the file, and no constant folding: torch folds on the weights in memory (a transposed
        copy of every linear layer's); :mod:`.streamed_weights` folds those transposes as it writes them."""
        return {"export_params": False, "do_constant_folding": False}

    def weight_free_trace(self) -> contextlib.AbstractContextManager[None]:
        return _types_only_shape_inference()
