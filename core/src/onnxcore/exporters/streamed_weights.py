"""Weights written straight from the model into the file, one tensor at a time.

The TorchScript exporter can trace a graph without its weights (``export_params=False``): every weight it reads is
then a graph input named after the module tensor (``model.encoder.layer.0.attention.self.query.weight``). Here each
such input becomes an initializer bound to that tensor, and the tensors are written into the ``.onnx`` (inline)
or its ``.data`` file (4096-aligned) as they lie in memory. torch never builds the protobuf with the weights in it,
which at its peak held about five times their bytes.

torch's constant folding is off on that trace: it runs on the weights in memory and would add a transposed copy of
every ``nn.Linear`` weight, a second copy of the model. The one fold that matters, ``Transpose`` of a weight, is
done here a tensor at a time as it is written, so the file stores the same weights as a folded export. Shape
arithmetic on constants is left to the runtime, which folds it when it loads the file.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import onnx

from .. import onnx_wire
from ..errors import ExportFailedError
from . import onnx_files

#: A transposed weight is written this many bytes at a time.
CHUNK_BYTES = 64 * 2**20
_DEFAULT_DOMAINS = ("", "ai.onnx")


@dataclasses.dataclass(frozen=True)
class BoundWeight:
    """An initializer of the written graph and the module tensor it holds, transposed by ``perm`` when given."""

    name: str
    source: Any  # torch.Tensor
    perm: tuple[int, ...] | None = None

    @property
    def dims(self) -> list[int]:
        shape = list(self.source.shape)
        return [shape[axis] for axis in self.perm] if self.perm else shape

    @property
    def nbytes(self) -> int:
        return self.source.numel() * self.source.element_size()

    def chunks(self) -> Iterator[memoryview]:
        """The tensor's bytes in ONNX's row-major order: a view of the module's memory when it is contiguous and
        not transposed; a transposed one a block of rows at a time (:data:`CHUNK_BYTES`), never whole."""
        tensor = self.source.detach().cpu()
        if not self.perm:
            yield _byte_view(tensor.contiguous())
            return
        permuted = tensor.permute(self.perm)
        rows = permuted.shape[0] if permuted.dim() else 1
        row_bytes = max(1, self.nbytes // max(rows, 1))
        step = max(1, CHUNK_BYTES // row_bytes)
        for start in range(0, rows, step):
            yield _byte_view(permuted[start : start + step].contiguous())

    def proto(self) -> onnx.TensorProto:
        """The initializer without its data."""
        tensor = onnx.TensorProto(name=self.name, data_type=onnx_type(self.source.dtype))
        tensor.dims.extend(self.dims)
        return tensor


def _byte_view(tensor: Any) -> memoryview:
    """The bytes of a contiguous tensor, without a copy."""
    import torch

    return memoryview(tensor.reshape(-1).view(torch.uint8).numpy())


def onnx_type(dtype: Any) -> int:
    """The ONNX element type of a torch dtype."""
    name = str(dtype).removeprefix("torch.")
    types = {"float32": "FLOAT", "float16": "FLOAT16", "bfloat16": "BFLOAT16", "float64": "DOUBLE", "bool": "BOOL"}
    found = getattr(onnx.TensorProto, types.get(name, name.upper()), None)
    if not isinstance(found, int):
        raise ExportFailedError(f"a weight of type {name} has no ONNX type to be written as.")
    return found


def module_tensors(module: Any) -> dict[str, Any]:
    """Every parameter and buffer of ``module`` by each name it has (a tied weight under all of them): the names a
    weight-free trace gives its inputs."""
    tensors = dict(module.named_buffers(remove_duplicate=False))
    tensors.update(module.named_parameters(remove_duplicate=False))
    return tensors


def _graph_reads(graph: onnx.GraphProto) -> set[str]:
    """Every value name the nodes of ``graph`` and of its subgraphs read."""
    reads: set[str] = set()
    for node in graph.node:
        reads.update(node.input)
        for attribute in node.attribute:
            for subgraph in (*([attribute.g] if attribute.HasField("g") else []), *attribute.graphs):
                reads |= _graph_reads(subgraph)
    return reads


def _perm(node: onnx.NodeProto, rank: int) -> tuple[int, ...]:
    for attribute in node.attribute:
        if attribute.name == "perm":
            return tuple(attribute.ints)
    return tuple(reversed(range(rank)))


def bind_weights(
    model: onnx.ModelProto, declared_inputs: Sequence[str], tensors: Mapping[str, Any]
) -> list[BoundWeight] | None:
    """Make the inputs of a weight-free trace that name module tensors initializers, folding each ``Transpose``
    of one into a transposed initializer; returns them, in the graph's order, or None when the graph reads an
    input that is neither declared nor a module tensor (the trace folded something this cannot bind)."""
    graph = model.graph
    declared = set(declared_inputs)
    weights = [value.name for value in graph.input if value.name not in declared]
    if any(name not in tensors for name in weights):
        return None
    weight_names = set(weights)
    bound: list[BoundWeight] = []
    nodes = []
    for node in graph.node:
        if node.op_type == "Transpose" and node.domain in _DEFAULT_DOMAINS and node.input[0] in weight_names:
            source = tensors[node.input[0]]
            bound.append(BoundWeight(node.output[0], source, _perm(node, source.dim())))
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    reads = _graph_reads(graph) | {value.name for value in graph.output}
    bound = [BoundWeight(name, tensors[name]) for name in weights if name in reads] + bound
    kept_inputs = [value for value in graph.input if value.name in declared]
    del graph.input[:]
    graph.input.extend(kept_inputs)
    graph.initializer.extend(weight.proto() for weight in bound)
    return bound


def weight_bytes(weights: Iterable[BoundWeight]) -> int:
    """Bytes of the weights' data."""
    return sum(weight.nbytes for weight in weights)


def write(model: onnx.ModelProto, weights: Sequence[BoundWeight], path: Path, data_name: str | None) -> list[Path]:
    """Write ``model`` to ``path`` with its bound weights streamed in: into ``path`` itself (``data_name`` None), or
    into ``data_name`` beside it. Returns the files written. Each file appears whole or not at all."""
    by_name = {weight.name: weight for weight in weights}
    initializers = [tensor for tensor in model.graph.initializer if tensor.name in by_name]
    if data_name is None:
        others = [tensor for tensor in model.graph.initializer if tensor.name not in by_name]
        del model.graph.initializer[:]
        model.graph.initializer.extend(others)
        pieces = [(tensor, by_name[tensor.name]) for tensor in initializers]
        onnx_wire.write_with_tensor_data(
            model, [(tensor, weight.nbytes, weight.chunks) for tensor, weight in pieces], path
        )
        return [path]
    data = path.with_name(data_name)
    partial = data.with_name(data_name + ".partial")
    try:
        with open(partial, "wb", buffering=0) as out:
            for tensor in initializers:
                weight = by_name[tensor.name]
                if weight.nbytes < onnx_wire.INLINE_TENSOR_BYTES:
                    tensor.raw_data = b"".join(bytes(chunk) for chunk in weight.chunks())
                    continue
                offset = onnx_wire.align(out)
                for chunk in weight.chunks():
                    onnx_wire.write_all(out, chunk)
                onnx_wire.point_to(tensor, data_name, offset, weight.nbytes)
        os.replace(partial, data)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    onnx_wire.save_whole(model, path)
    return [path, data]


def finish(
    path: Path,
    module: Any,
    *,
    opset: int,
    inputs: Mapping[str, Mapping[int, str]],
    outputs: Mapping[str, Mapping[int, str]],
    exporter: str,
    external_data: bool,
    input_values: Sequence[onnx.ValueInfoProto] = (),
) -> list[Path] | None:
    """Bind the weight-free graph at ``path`` to ``module``'s tensors, hold it to the contract (as
    :func:`onnx_files.finalize` does) and write it with its weights; external data when asked or when they pass
    protobuf's 2 GB. Returns the files, or None when the graph cannot be bound (see :func:`bind_weights`)."""
    model = onnx.load(str(path))  # the graph alone: kilobytes to a few megabytes
    weights = bind_weights(model, list(inputs), module_tensors(module))
    if weights is None:
        return None
    onnx_files.apply_contract(model, opset, inputs, outputs, exporter, input_values)
    external = external_data or model.ByteSize() + weight_bytes(weights) > onnx_wire.PROTOBUF_LIMIT
    return write(model, weights, path, path.name + onnx_files.EXTERNAL_DATA_SUFFIX if external else None)
