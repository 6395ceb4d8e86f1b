"""One decoder file for an encoder-decoder: the first step and every later one, with the weights stored once.

The decoder without past and the decoder with past are traced apart (their graphs differ: the first computes the
cross-attention keys and values from the encoder output, the second reads them from the cache), then merged into
one graph with Optimum's contract, which Optimum's ``ORTModelForSeq2SeqLM``/``ORTModelForSpeechSeq2Seq`` and
transformers.js load as ``decoder_model_merged.onnx``:

- an ``If`` on the input ``use_cache_branch`` (bool, shape [1]) runs the with-past graph when true, else the
  first-step graph;
- the merged graph takes the union of both inputs; on the first step the runtimes feed a past of length 0 (the
  first-step branch never reads it), so every past dimension is symbolic;
- it returns the first-step graph's outputs; the with-past branch returns an empty ``present.*.encoder.*``
  (the cross-attention cache never changes: runtimes keep the first step's);
- weights (initializers and large ``Constant`` tensors) equal in both graphs are stored once, in the outer graph,
  which both branches read: 0.5x the bytes of the two files.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import onnx
from onnx import external_data_helper, helper

from .. import onnx_wire
from ..errors import ExportFailedError
from ..seq2seq import USE_CACHE_BRANCH
from .onnx_files import EXTERNAL_DATA_SUFFIX, consolidate_external_data, is_external

#: Tensors from this size up are shared between the branches (smaller ones are shapes and scalars).
SHARED_TENSOR_BYTES = 1024
_BRANCH_PREFIXES = ("no_past/", "with_past/")
_EMPTY_PREFIX = "with_past/empty/"
MERGED_GRAPH = "decoder_model_merged"


def tensor_digest(tensor: onnx.TensorProto, directory: Path | None = None) -> str:
    """What makes two weights the same: type, shape and bytes, not the name the exporter gave them (the digest of
    the serialized tensor without its name, as :func:`onnx_wire.stored_tensors` takes it from a file). An external
    tensor's bytes are read from its file in ``directory``, a block at a time."""
    if is_external(tensor) and directory is not None:
        info = external_data_helper.ExternalDataInfo(tensor)
        digest = hashlib.sha256(f"{tensor.data_type}:{list(tensor.dims)}:".encode())
        with open(directory / info.location, "rb") as source:
            source.seek(info.offset or 0)
            remaining = tensor_bytes(tensor)
            while remaining:
                block = source.read(min(1 << 24, remaining))
                if not block:
                    raise ExportFailedError(f"{info.location} is shorter than its tensor {tensor.name}.")
                digest.update(block)
                remaining -= len(block)
        return digest.hexdigest()
    unnamed = onnx.TensorProto()
    unnamed.CopyFrom(tensor)
    unnamed.ClearField("name")
    return hashlib.sha256(unnamed.SerializeToString()).hexdigest()


def tensor_bytes(tensor: onnx.TensorProto) -> int:
    """Bytes of a tensor's data (raw, typed fields or, for an external tensor, its recorded length)."""
    if is_external(tensor):
        length = external_data_helper.ExternalDataInfo(tensor).length
        if length is not None:
            return int(length)
    return len(tensor.raw_data) if tensor.HasField("raw_data") else tensor.ByteSize()


def _constant_tensor(node: onnx.NodeProto) -> onnx.TensorProto | None:
    """The tensor of a ``Constant`` node's ``value`` attribute, if that is how it is given."""
    if node.op_type != "Constant" or node.domain not in ("", "ai.onnx"):
        return None
    return next((attribute.t for attribute in node.attribute if attribute.name == "value"), None)


def _defined_names(graph: onnx.GraphProto) -> set[str]:
    """Every value name a graph (and its subgraphs) defines: node outputs, initializers, subgraph inputs."""
    names = {tensor.name for tensor in graph.initializer} | {value.name for value in graph.input}
    for node in graph.node:
        names.update(name for name in node.output if name)
        for subgraph in _subgraphs(node):
            names |= _defined_names(subgraph)
    return names


def _subgraphs(node: onnx.NodeProto) -> Iterable[onnx.GraphProto]:
    for attribute in node.attribute:
        if attribute.HasField("g"):
            yield attribute.g
        yield from attribute.graphs


def _rename(graph: onnx.GraphProto, renames: Mapping[str, str]) -> None:
    """Rename values everywhere in ``graph`` and its subgraphs."""
    for tensor in graph.initializer:
        tensor.name = renames.get(tensor.name, tensor.name)
    for values in (graph.input, graph.output, graph.value_info):
        for value in values:
            value.name = renames.get(value.name, value.name)
    for node in graph.node:
        node.input[:] = [renames.get(name, name) for name in node.input]
        node.output[:] = [renames.get(name, name) for name in node.output]
        for subgraph in _subgraphs(node):
            _rename(subgraph, renames)


class _SharedWeights:
    """The outer graph's initializers: one per distinct large tensor of either branch, held in memory (a
    ``Constant``'s value) or left in its file (``stored``, copied when the merged file is written)."""

    def __init__(self, reserved: set[str], directory: Path | None = None) -> None:
        self.initializers: list[onnx.TensorProto] = []
        self.stored: list[tuple[onnx_wire.StoredTensor, str]] = []
        self._by_digest: dict[str, str] = {}
        self._taken = set(reserved)
        self._directory = directory  # where external tensors' files are

    def _name(self, digest: str, wanted: str) -> str | None:
        """The outer name already given to ``digest``; else None, with ``wanted`` (made unique) reserved for it."""
        if digest in self._by_digest:
            return self._by_digest[digest]
        name, suffix = wanted or "weight", 0
        while name in self._taken:
            suffix += 1
            name = f"{wanted or 'weight'}.{suffix}"
        self._taken.add(name)
        self._by_digest[digest] = name
        return None

    def add(self, tensor: onnx.TensorProto) -> str:
        """The outer name of ``tensor``'s weight: an existing one with the same bytes, else a new one."""
        digest = tensor_digest(tensor, self._directory)
        known = self._name(digest, tensor.name)
        if known is not None:
            return known
        shared = onnx.TensorProto()
        shared.CopyFrom(tensor)
        shared.name = self._by_digest[digest]
        self.initializers.append(shared)
        return shared.name

    def add_stored(self, tensor: onnx_wire.StoredTensor) -> str:
        """The outer name of a weight left in its file."""
        known = self._name(tensor.digest, tensor.name)
        if known is not None:
            return known
        self.stored.append((tensor, self._by_digest[tensor.digest]))
        return self._by_digest[tensor.digest]


def _branch(
    model: onnx.ModelProto,
    prefix: str,
    shared: _SharedWeights,
    stored: Sequence[onnx_wire.StoredTensor],
) -> onnx.GraphProto:
    """``model``'s graph (and its initializers ``stored`` in its file) as an ``If`` branch: no inputs (it reads
    the outer graph's), its large weights moved to the outer graph, every other value prefixed so that the two
    branches' names cannot collide."""
    graph = model.graph  # taken over, not copied: the caller's models are consumed
    graph.name = prefix.rstrip("/")
    renames: dict[str, str] = {}
    kept = []
    for tensor in graph.initializer:
        if tensor_bytes(tensor) >= SHARED_TENSOR_BYTES:
            renames[tensor.name] = shared.add(tensor)
        else:
            kept.append(tensor)
    for tensor in stored:
        if tensor.size >= SHARED_TENSOR_BYTES:
            renames[tensor.name] = shared.add_stored(tensor)
        else:
            kept.append(onnx_wire.read_tensor(tensor))
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = []
    for node in graph.node:
        tensor = _constant_tensor(node)
        if tensor is not None and tensor_bytes(tensor) >= SHARED_TENSOR_BYTES:
            renames[node.output[0]] = shared.add(tensor)
        else:
            nodes.append(node)
    del graph.node[:]
    graph.node.extend(nodes)
    outputs = [value.name for value in graph.output]
    own_inputs = {value.name for value in graph.input}  # they become reads of the outer graph's inputs
    del graph.input[:]
    defined = _defined_names(graph) - own_inputs - set(renames)
    _rename(graph, renames | {name: prefix + name for name in defined})
    for original, value in zip(outputs, graph.output):
        if not value.name.startswith(prefix):  # an outer value (an input, a shared weight): through a node
            source, value.name = value.name, f"{prefix}{original}/passthrough"
            graph.node.append(helper.make_node("Identity", [source], [value.name]))
    return graph


def _empty_output(value: onnx.ValueInfoProto, name: str) -> onnx.NodeProto:
    """A ``Constant`` node giving an empty tensor of ``value``'s type and rank (every dimension 0)."""
    tensor_type = value.type.tensor_type
    rank = len(tensor_type.shape.dim)
    empty = helper.make_tensor(name + "/empty", tensor_type.elem_type, [0] * rank, vals=[])
    return helper.make_node("Constant", [], [name], value=empty)


def _with_axes(value: onnx.ValueInfoProto, axes: Mapping[int, str]) -> onnx.ValueInfoProto:
    """``value`` with the contract's names on its dynamic axes (a fixed size made symbolic where the contract
    says so: the past of the first step is empty, whatever shape a runtime gives it)."""
    copied = copy.deepcopy(value)
    dims = copied.type.tensor_type.shape.dim
    for axis, name in axes.items():
        if axis < len(dims):
            dims[axis].dim_param = name
    return copied


def merge_decoders(
    no_past: onnx.ModelProto,
    with_past: onnx.ModelProto,
    inputs: Mapping[str, Mapping[int, str]],
    outputs: Mapping[str, Mapping[int, str]],
    stored: tuple[Sequence[onnx_wire.StoredTensor], Sequence[onnx_wire.StoredTensor]] = ((), ()),
    directory: Path | None = None,
) -> tuple[onnx.ModelProto, list[tuple[onnx_wire.StoredTensor, str]]]:
    """The merged decoder of a first-step decoder and a decoder with past (see the module docstring), with the
    contract's ``inputs`` (in order, ``use_cache_branch`` among them) and ``outputs`` and their axis names.

    ``stored``: each model's initializers left in its file (the models are then skeletons, without them);
    returned with the outer name each shared one takes, for :func:`onnx_wire.write_with_tensors`. ``directory``:
    where the files of external tensors are, which are compared by their bytes there. The two models are
    consumed."""
    values = {value.name: copy.deepcopy(value) for value in [*with_past.graph.input, *no_past.graph.input]}
    values[USE_CACHE_BRANCH] = helper.make_tensor_value_info(USE_CACHE_BRANCH, onnx.TensorProto.BOOL, [1])
    unknown = [name for name in inputs if name not in values]
    if unknown or set(values) - set(inputs):
        raise ExportFailedError(f"the decoders' inputs {sorted(values)} are not the merged contract's {list(inputs)}.")
    first_values = [copy.deepcopy(value) for value in no_past.graph.output]
    later_values = {value.name: copy.deepcopy(value) for value in with_past.graph.output}
    if [value.name for value in first_values] != list(outputs) or not set(later_values) <= set(outputs):
        raise ExportFailedError(
            f"the decoders return {[value.name for value in first_values]} and {list(later_values)}, not the merged"
            f" contract's {list(outputs)}."
        )
    shared = _SharedWeights(set(inputs) | set(outputs), directory)
    first = _branch(no_past, _BRANCH_PREFIXES[0], shared, stored[0])
    later = _branch(with_past, _BRANCH_PREFIXES[1], shared, stored[1])
    # the with-past branch returns every first-step output, in the same order: an empty tensor where it has none
    later_by_name = {name: copy.deepcopy(value) for name, value in zip(later_values, later.output)}
    branch_outputs = []
    for original in first_values:
        if original.name in later_by_name:
            branch_outputs.append(later_by_name[original.name])
            continue
        empty = _EMPTY_PREFIX + original.name
        later.node.append(_empty_output(original, empty))
        # its type, not its shape: it is empty, where the first step's has sizes
        branch_outputs.append(helper.make_tensor_value_info(empty, original.type.tensor_type.elem_type, None))
    del later.output[:]
    later.output.extend(branch_outputs)
    if_node = helper.make_node(
        "If",
        [USE_CACHE_BRANCH],
        [value.name for value in first_values],
        name="use_cache_branch_if",
        then_branch=later,
        else_branch=first,
    )
    merged_outputs = [_with_axes(later_values.get(value.name, value), outputs[value.name]) for value in first_values]
    merged_inputs = [_with_axes(values[name], axes) for name, axes in inputs.items()]
    graph = helper.make_graph([if_node], MERGED_GRAPH, merged_inputs, merged_outputs, shared.initializers)
    merged = helper.make_model(graph, opset_imports=_opsets(no_past, with_past))
    merged.ir_version = max(no_past.ir_version, with_past.ir_version)
    merged.producer_name, merged.producer_version = no_past.producer_name, no_past.producer_version
    merged.functions.extend(_functions(no_past, with_past))
    return merged, shared.stored


def _opsets(*models: onnx.ModelProto) -> list[onnx.OperatorSetIdProto]:
    versions: dict[str, int] = {}
    for model in models:
        for opset in model.opset_import:
            versions[opset.domain] = max(versions.get(opset.domain, 0), opset.version)
    return [helper.make_opsetid(domain, version) for domain, version in versions.items()]


def _functions(*models: onnx.ModelProto) -> list[onnx.FunctionProto]:
    """The models' local functions (torch.export writes some), each once; two different bodies under one name
    cannot be merged."""
    functions: dict[tuple[str, str, str], onnx.FunctionProto] = {}
    for model in models:
        for function in model.functions:
            key = (function.domain, function.name, function.overload)
            if key in functions and functions[key] != function:
                raise ExportFailedError(
                    f"the two decoders define the function {function.domain}.{function.name} differently; export"
                    " with --exporter torchscript."
                )
            functions.setdefault(key, function)
    return list(functions.values())


def large_tensors(model: onnx.ModelProto) -> list[onnx.TensorProto]:
    """The large tensors a model stores (initializers of every graph and large ``Constant`` values)."""
    found = []

    def visit(graph: onnx.GraphProto) -> None:
        found.extend(tensor for tensor in graph.initializer if tensor_bytes(tensor) >= SHARED_TENSOR_BYTES)
        for node in graph.node:
            tensor = _constant_tensor(node)
            if tensor is not None and tensor_bytes(tensor) >= SHARED_TENSOR_BYTES:
                found.append(tensor)
            for subgraph in _subgraphs(node):
                visit(subgraph)

    visit(model.graph)
    return found


def merge_decoder_files(
    no_past: Path,
    with_past: Path,
    merged: Path,
    contract: Any,
    external_data: bool | None,
) -> None:
    """Merge two decoder files into ``merged`` with the ``contract`` (an OnnxConfig) of its inputs and outputs,
    and delete them.

    Memory stays near the graphs, not the weights. Inline decoders are read as skeletons (:mod:`.onnx_wire`), their
    weights hashed one at a time from the file and the shared ones copied into the merged file inside the kernel.
    Decoders with external data are read without it, their weights hashed from the data files, and the shared ones
    copied into ``merged.data`` the same way. Weights go to ``merged.data`` when asked, when either decoder kept
    them outside, or when the merged file would pass protobuf's 2 GB.
    """
    sources = (no_past, with_past)
    data_files = [path.with_name(path.name + EXTERNAL_DATA_SUFFIX) for path in sources]
    skeletons = [None if external_data else onnx_wire.read_skeleton(path) for path in sources]
    if all(skeleton is not None and not skeleton.external for skeleton in skeletons):
        stored = tuple(onnx_wire.stored_tensors(path, skeleton) for path, skeleton in zip(sources, skeletons))
        models = [skeleton.model for skeleton in skeletons]  # type: ignore[union-attr]
        model, tensors = merge_decoders(models[0], models[1], contract.inputs, contract.outputs, stored)  # type: ignore[arg-type]
        if model.ByteSize() + sum(tensor.size for tensor, _ in tensors) <= onnx_wire.PROTOBUF_LIMIT:
            onnx_wire.write_with_tensors(model, tensors, merged)
            for path in sources:
                path.unlink()
            return
    external = bool(external_data) or any(path.exists() for path in data_files)
    # external weights stay in their files until they are copied into merged.data
    loaded = [onnx.load(str(path), load_external_data=not external) for path in sources]
    model, _ = merge_decoders(loaded[0], loaded[1], contract.inputs, contract.outputs, directory=merged.parent)
    del loaded
    weights = sum(tensor_bytes(tensor) for tensor in large_tensors(model))
    data_name = merged.name + EXTERNAL_DATA_SUFFIX
    if external or weights > onnx_wire.PROTOBUF_LIMIT:
        consolidate_external_data(model, merged.parent, data_name, force=True)
    onnx_wire.save_whole(model, merged)
    for path in (*sources, *data_files):
        path.unlink(missing_ok=True)
