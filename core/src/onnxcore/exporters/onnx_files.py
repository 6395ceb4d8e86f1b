"""Post-processing of a written ONNX file, the same for every backend.

- dynamic axes get the config's names (the torch.export and tf2onnx backends invent their own);
- the opset, inputs and outputs are checked against what was asked for;
- weights go to one external data file when asked or when the exporter scattered them, streamed tensor by
  tensor so that memory stays near one tensor, not the whole model.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import onnx
from onnx import external_data_helper

from .. import onnx_wire
from ..errors import ExportFailedError

EXTERNAL_DATA_SUFFIX = ".data"


def _value_infos(graph: onnx.GraphProto) -> list[onnx.ValueInfoProto]:
    return [*graph.input, *graph.output, *graph.value_info]


def name_dynamic_axes(
    model: onnx.ModelProto,
    inputs: Mapping[str, Mapping[int, str]],
    outputs: Mapping[str, Mapping[int, str]],
) -> None:
    """Give every declared dynamic axis the config's name, and rename the same symbol everywhere else; name
    tf2onnx's anonymous ``unk__N`` dims ``<tensor>_dim_<axis>``, as the PyTorch exporter does."""
    graph = model.graph
    renames: dict[str, str] = {}
    for values, declared in ((graph.input, inputs), (graph.output, outputs)):
        for value in values:
            dims = value.type.tensor_type.shape.dim
            for axis, axis_name in declared.get(value.name, {}).items():
                if axis >= len(dims):
                    continue
                old = dims[axis].dim_param
                if old and old != axis_name:
                    renames.setdefault(old, axis_name)
                dims[axis].dim_param = axis_name
    for values in (graph.input, graph.output):  # undeclared dynamic dims: tf2onnx's "unk__N" by position
        for value in values:
            for axis, dim in enumerate(value.type.tensor_type.shape.dim):
                if dim.dim_param.startswith("unk__"):
                    renames.setdefault(dim.dim_param, f"{value.name}_dim_{axis}")
                    dim.dim_param = renames[dim.dim_param]
    for value in _value_infos(graph):
        for dim in value.type.tensor_type.shape.dim:
            if dim.dim_param in renames:
                dim.dim_param = renames[dim.dim_param]


def written_opset(model: onnx.ModelProto) -> int:
    """The default-domain opset of a model."""
    for opset in model.opset_import:
        if opset.domain in ("", "ai.onnx"):
            return opset.version
    raise ExportFailedError("the exported model imports no default-domain opset.")


def check_contract(
    model: onnx.ModelProto,
    opset: int,
    input_names: Sequence[str],
    output_names: Sequence[str],
    exporter: str,
    initializer_names: Sequence[str] = (),
) -> None:
    """The file has exactly the requested opset and the declared inputs and outputs, in order (``initializer_names``:
    of initializers that are not in ``model``, which may list them as inputs)."""
    found_opset = written_opset(model)
    if found_opset != opset:
        raise ExportFailedError(
            f"the {exporter} exporter wrote opset {found_opset} instead of the requested {opset}; pick an opset it"
            f" can convert to (or --opset {found_opset})."
        )
    graph_inputs = [value.name for value in model.graph.input]
    initializers = {tensor.name for tensor in model.graph.initializer} | set(initializer_names)
    graph_inputs = [name for name in graph_inputs if name not in initializers]
    if graph_inputs != list(input_names):
        raise ExportFailedError(
            f"the exported graph takes inputs {graph_inputs}, not the declared {list(input_names)}."
        )
    graph_outputs = [value.name for value in model.graph.output]
    if graph_outputs != list(output_names):
        raise ExportFailedError(f"the exported graph returns {graph_outputs}, not the declared {list(output_names)}.")


def order_outputs(model: onnx.ModelProto, output_names: Sequence[str]) -> None:
    """Put the graph's outputs in the declared order (tf2onnx writes a dict's outputs sorted by name); the check
    that they are exactly the declared ones comes after."""
    by_name = {value.name: value for value in model.graph.output}
    if set(by_name) == set(output_names):
        ordered = [copy.deepcopy(by_name[name]) for name in output_names]
        del model.graph.output[:]
        model.graph.output.extend(ordered)


def restore_unused_inputs(model: onnx.ModelProto, declared: Sequence[onnx.ValueInfoProto]) -> None:
    """Put back declared inputs that the TorchScript exporter dropped because the graph never reads them.

    A seq2seq graph with past ignores its encoder inputs once the cross-attention cache is given; torch.export
    keeps such inputs, so with this both exporters write the declared inputs, in the declared order.
    """
    graph = model.graph
    existing = {value.name: value for value in graph.input}
    if all(value.name in existing for value in declared):
        return
    names = {value.name for value in declared}
    ordered = [existing.get(value.name, value) for value in declared]
    ordered += [value for value in graph.input if value.name not in names]
    ordered = [copy.deepcopy(value) for value in ordered]
    del graph.input[:]
    graph.input.extend(ordered)


def _graph_tensors(graph: onnx.GraphProto) -> list[onnx.TensorProto]:
    tensors = list(graph.initializer)
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                tensors.append(attribute.t)
            tensors.extend(attribute.tensors)
            if attribute.HasField("g"):
                tensors.extend(_graph_tensors(attribute.g))
            for subgraph in attribute.graphs:
                tensors.extend(_graph_tensors(subgraph))
    return tensors


def _tensors(model: onnx.ModelProto) -> list[onnx.TensorProto]:
    return _graph_tensors(model.graph)


def consolidate_external_data(model: onnx.ModelProto, directory: Path, data_name: str, force: bool) -> bool:
    """Move every weight into ``directory/data_name`` when ``force`` or when the exporter scattered them.

    Tensors are copied one at a time; the scattered files are deleted. Returns whether external data is used.
    """
    tensors = [tensor for tensor in _tensors(model) if tensor.HasField("raw_data") or is_external(tensor)]
    external = [tensor for tensor in tensors if is_external(tensor)]
    locations = {external_data_helper.ExternalDataInfo(tensor).location for tensor in external}
    if not force and not external:
        return False
    if not force and locations == {data_name}:
        return True
    target = directory / data_name
    partial = directory / (data_name + ".partial")
    with open(partial, "wb", buffering=0) as out:
        for tensor in tensors:
            if not is_external(tensor) and not (force and len(tensor.raw_data) >= 1024):
                continue
            offset = onnx_wire.align(out)
            if is_external(tensor):
                length = _copy_external(tensor, directory, out)
            else:
                length = len(tensor.raw_data)
                onnx_wire.write_all(out, tensor.raw_data)
            onnx_wire.point_to(tensor, data_name, offset, length)
    os.replace(partial, target)
    for location in locations - {data_name}:
        (directory / location).unlink(missing_ok=True)
    return True


def _copy_external(tensor: onnx.TensorProto, directory: Path, out: Any) -> int:
    """Append an external tensor's bytes to ``out``; returns the length."""
    info = external_data_helper.ExternalDataInfo(tensor)
    with open(directory / info.location, "rb") as source:
        start = info.offset or 0
        length = info.length or os.fstat(source.fileno()).st_size - start
        onnx_wire.copy_range(source, out, start, length)
    return length


def is_external(tensor: onnx.TensorProto) -> bool:
    """Whether the tensor's data lies in an external file."""
    return tensor.HasField("data_location") and tensor.data_location == onnx.TensorProto.EXTERNAL


def rename_external_data(path: Path, data_name: str) -> None:
    """Move ``path``'s external data file to ``data_name`` beside it, and point its tensors there (only the
    small graph is parsed and rewritten; the weights stay in place)."""
    model = onnx.load(str(path), load_external_data=False)
    old = None
    for tensor in _tensors(model):
        if is_external(tensor):
            for entry in tensor.external_data:
                if entry.key == "location":
                    old, entry.value = entry.value, data_name
    if old is None or old == data_name:
        return
    os.replace(path.parent / old, path.parent / data_name)
    onnx.save(model, str(path))


def apply_contract(
    model: onnx.ModelProto,
    opset: int,
    inputs: Mapping[str, Mapping[int, str]],
    outputs: Mapping[str, Mapping[int, str]],
    exporter: str,
    input_values: Sequence[onnx.ValueInfoProto] = (),
    initializer_names: Sequence[str] = (),
) -> None:
    """Restore dropped inputs, order the outputs, name the axes, then check the result against the config."""
    restore_unused_inputs(model, input_values)
    order_outputs(model, list(outputs))
    name_dynamic_axes(model, inputs, outputs)
    check_contract(model, opset, list(inputs), list(outputs), exporter, initializer_names)


def finalize(
    path: Path,
    *,
    opset: int,
    inputs: Mapping[str, Mapping[int, str]],
    outputs: Mapping[str, Mapping[int, str]],
    exporter: str,
    external_data: bool,
    input_values: Sequence[onnx.ValueInfoProto] = (),
) -> list[Path]:
    """Name axes, check the contract, settle external data; returns the files that make up the export.

    ``input_values``: the declared inputs' types and shapes, to restore inputs the exporter dropped as unused.
    An inline file is edited without touching its weights (:mod:`.onnx_wire`).
    """
    skeleton = None if external_data else onnx_wire.read_skeleton(path)
    if skeleton is None or skeleton.external:
        skeleton, model = None, onnx.load(str(path), load_external_data=False)
    else:
        model = skeleton.model
    names = skeleton.initializer_names if skeleton else ()
    apply_contract(model, opset, inputs, outputs, exporter, input_values, names)
    if skeleton is not None:
        onnx_wire.write_with_initializers(model, skeleton, path, path)
        return [path]
    data_name = path.name + EXTERNAL_DATA_SUFFIX
    uses_external = consolidate_external_data(model, path.parent, data_name, force=external_data)
    onnx.save(model, str(path))
    return [path, path.parent / data_name] if uses_external else [path]
