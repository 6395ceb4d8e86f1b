"""Edit an inline ONNX file without parsing or re-serializing its weights.

Post-processing changes names, shapes and order of the graph's inputs and outputs; the weights, nearly all of a
file's bytes, stay as the exporter wrote them. Parsing and re-serializing a 500 MB protobuf costs seconds and
two more copies of the weights in memory, so the file is read at the wire level instead: the graph's
``initializer`` fields are located (not decoded), the rest is parsed as a small ModelProto, and the edited
model is written back with the initializer bytes copied verbatim, inside the kernel. Appending them at the end
of the graph message is valid protobuf: field order is free.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import mmap
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

import onnx
from google.protobuf.message import DecodeError

_LENGTH_DELIMITED = 2
_MODEL_GRAPH = 7  # ModelProto.graph
_GRAPH_INITIALIZER = 5  # GraphProto.initializer
_TENSOR_NAME = 8  # TensorProto.name
_TENSOR_RAW_DATA = 9  # TensorProto.raw_data
_TENSOR_DATA_LOCATION = 14  # TensorProto.data_location
#: External data offsets are multiples of this, so that ONNX Runtime can memory-map each tensor.
ALIGNMENT = 4096
#: Tensors below this many bytes stay in the graph (shapes, scalars), as in external data written by torch: ONNX
#: Runtime's shape inference reads them there and not from external data.
INLINE_TENSOR_BYTES = 1024
#: The largest protobuf message: a model whose weights would make it larger keeps them in external data.
PROTOBUF_LIMIT = 2**31 - 1


@dataclasses.dataclass
class Skeleton:
    """A model parsed without its initializers, and where their fields lie in the file."""

    model: onnx.ModelProto
    initializer_ranges: list[tuple[int, int]]
    initializer_names: list[str]
    external: bool  # some initializer keeps its data in an external file


def _varint(data: mmap.mmap | bytes, position: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _fields(data: mmap.mmap | bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int, int]]:
    """(field number, wire type, field start, value start, value end) of each field in ``data[start:end]``."""
    position = start
    while position < end:
        field_start = position
        key, position = _varint(data, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, value_end = _varint(data, position)
        elif wire == 1:
            value_end = position + 8
        elif wire == _LENGTH_DELIMITED:
            length, position = _varint(data, position)
            value_end = position + length
            if value_end > end:
                raise ValueError("field runs past the end of its message")
        elif wire == 5:
            value_end = position + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, field_start, position, value_end
        position = value_end


_NO_KERNEL_COPY = {errno.ENOSYS, errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.EBADF}


def copy_range(source: BinaryIO, out: BinaryIO, offset: int, length: int) -> None:
    """Append ``length`` bytes of ``source`` from ``offset`` to ``out``: inside the kernel where it can
    (``copy_file_range``, Linux), else through a buffer."""
    copied = 0
    if hasattr(os, "copy_file_range"):
        try:
            while copied < length:
                done = os.copy_file_range(source.fileno(), out.fileno(), length - copied, offset + copied)
                if done == 0:
                    raise OSError(errno.EIO, f"{source.name} is shorter than its tensor data")
                copied += done
            return
        except OSError as exc:
            if exc.errno not in _NO_KERNEL_COPY or copied:
                raise
    source.seek(offset)
    while copied < length:
        block = source.read(min(1 << 24, length - copied))
        if not block:
            raise OSError(errno.EIO, f"{source.name} is shorter than its tensor data")
        write_all(out, block)
        copied += len(block)


def write_all(out: BinaryIO, data: bytes) -> None:
    """Write every byte (an unbuffered write may take only part)."""
    view = memoryview(data)
    while view:
        view = view[out.write(view) :]


def _field(number: int, payload_length: int) -> bytes:
    return _encode_varint(number << 3 | _LENGTH_DELIMITED) + _encode_varint(payload_length)


def read_skeleton(path: Path) -> Skeleton | None:
    """The model at ``path`` without its initializers; None when the file is not one plain ModelProto with one
    graph, or not what this reader expects (the caller then loads it whole, and onnx says what is wrong)."""
    try:
        return _read_skeleton(path)
    except (ValueError, IndexError, UnicodeDecodeError, DecodeError):
        return None


def _read_skeleton(path: Path) -> Skeleton | None:
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        top = list(_fields(data, 0, len(data)))
        graphs = [field for field in top if field[0] == _MODEL_GRAPH]
        if len(graphs) != 1 or graphs[0][1] != _LENGTH_DELIMITED:
            return None
        _, _, _, graph_start, graph_end = graphs[0]
        head = b"".join(data[start:end] for number, _, start, _, end in top if number != _MODEL_GRAPH)
        graph, ranges, names, external = [], [], [], False
        for number, _, start, value_start, end in _fields(data, graph_start, graph_end):
            if number != _GRAPH_INITIALIZER:
                graph.append(data[start:end])
                continue
            ranges.append((start, end))
            name = ""  # one name per initializer, so that names and ranges stay aligned
            for tensor_field, _, _, tensor_value, tensor_end in _fields(data, value_start, end):
                if tensor_field == _TENSOR_NAME:
                    name = data[tensor_value:tensor_end].decode()
                elif tensor_field == _TENSOR_DATA_LOCATION:
                    external = external or _varint(data, tensor_value)[0] == onnx.TensorProto.EXTERNAL
            names.append(name)
    graph_bytes = b"".join(graph)
    model = onnx.ModelProto.FromString(head + _field(_MODEL_GRAPH, len(graph_bytes)) + graph_bytes)
    return Skeleton(model, ranges, names, external)


#: Bytes produced when they are written (a tensor's data, read from the model only then): length, and the
#: producer of its blocks.
LazyBytes = tuple[int, Callable[[], Iterable[memoryview]]]
#: A field to append to the graph: bytes written as they are, then what follows them: byte ranges of source files
#: (copied inside the kernel) or lazy bytes.
_Piece = tuple[bytes, list["tuple[Path, int, int] | LazyBytes"]]


def _length(source: tuple[Path, int, int] | LazyBytes) -> int:
    return source[0] if len(source) == 2 else source[2] - source[1]  # type: ignore[misc]


def _write(model: onnx.ModelProto, pieces: list[_Piece], target: Path) -> None:
    """Write ``model`` to ``target`` with ``pieces`` appended to its graph (see :data:`_Piece`); ``target`` may
    be one of the sources: the file is replaced only when complete."""
    graph_bytes = model.graph.SerializeToString()
    headless = onnx.ModelProto()
    headless.CopyFrom(model)
    headless.ClearField("graph")
    weights = sum(len(head) + sum(_length(source) for source in sources) for head, sources in pieces)
    partial = target.with_name(target.name + ".partial")
    try:
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(open(partial, "wb", buffering=0))
            readers: dict[Path, BinaryIO] = {}
            write_all(out, headless.SerializeToString() + _field(_MODEL_GRAPH, len(graph_bytes) + weights))
            write_all(out, graph_bytes)
            for head, sources in pieces:
                write_all(out, head)
                for source in sources:
                    if len(source) == 2:
                        for block in source[1]():  # type: ignore[misc]
                            write_all(out, block)
                        continue
                    path, start, end = source  # type: ignore[misc]
                    if path not in readers:
                        readers[path] = stack.enter_context(open(path, "rb"))
                    copy_range(readers[path], out, start, end - start)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    target.unlink(missing_ok=True)  # renaming over a file makes ext4 flush the new one to disk first
    os.rename(partial, target)


def in_place_model(path: Path) -> onnx.ModelProto | None:
    """The model at ``path`` with each inline tensor's data (from :data:`INLINE_TENSOR_BYTES` up) pointing at its
    own bytes in ``path``, as external data; None when the file has no initializers or is not what
    :func:`read_skeleton` reads.

    ONNX Runtime memory-maps external data on the CPU (with prepacking off) and copies inline data into its heap
    while it still holds the parsed protobuf: a session of this model runs every byte of the file's graph and
    weights, at a fraction of the memory (355M GPT-2: 0.07 GB to make the session instead of 1.7 GB).
    """
    try:
        skeleton = read_skeleton(path)
    except OSError:  # no such file, or not readable: ONNX Runtime, given the path, says which
        return None
    if skeleton is None or not skeleton.initializer_ranges:
        return None
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for start, end in skeleton.initializer_ranges:
            _, _, _, value_start, value_end = next(_fields(data, start, end))
            fields, raw_data = [], None
            for number, _, field_start, data_start, data_end in _fields(data, value_start, value_end):
                if number == _TENSOR_RAW_DATA:
                    raw_data = (data_start, data_end)
                else:
                    fields.append(data[field_start:data_end])
            if raw_data is None or raw_data[1] - raw_data[0] < INLINE_TENSOR_BYTES:
                tensor = onnx.TensorProto.FromString(data[value_start:value_end])
            else:
                tensor = onnx.TensorProto.FromString(b"".join(fields))
                point_to(tensor, path.name, raw_data[0], raw_data[1] - raw_data[0])
            skeleton.model.graph.initializer.append(tensor)
    return skeleton.model


def write_with_initializers(model: onnx.ModelProto, skeleton: Skeleton, source: Path, target: Path) -> None:
    """Write ``model`` (a skeleton, edited) to ``target`` with the initializer fields of ``source`` copied in;
    ``target`` may be ``source``: the file is replaced only when complete."""
    _write(model, [(b"", [(source, start, end) for start, end in skeleton.initializer_ranges])], target)


@dataclasses.dataclass(frozen=True)
class StoredTensor:
    """An initializer left in its file: where its field lies, its name, the ranges of its own fields but the name,
    and their digest (two tensors with the same digest hold the same type, shape and bytes)."""

    source: Path
    start: int
    end: int
    name: str
    parts: tuple[tuple[int, int], ...]
    digest: str

    @property
    def size(self) -> int:
        """Bytes of the field."""
        return self.end - self.start


def _tensor_parts(data: mmap.mmap, start: int, end: int) -> tuple[tuple[int, int], ...]:
    """The ranges of a TensorProto field's own fields, its name left out."""
    _, _, _, value_start, value_end = next(_fields(data, start, end))
    return tuple(
        (field_start, field_end)
        for number, _, field_start, _, field_end in _fields(data, value_start, value_end)
        if number != _TENSOR_NAME
    )


def stored_tensors(path: Path, skeleton: Skeleton) -> list[StoredTensor]:
    """The skeleton's initializers as they lie in ``path``, each with its digest (read one at a time)."""
    stored = []
    with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        for (start, end), name in zip(skeleton.initializer_ranges, skeleton.initializer_names):
            parts = _tensor_parts(data, start, end)
            digest = hashlib.sha256()
            for part_start, part_end in parts:
                handle.seek(part_start)
                remaining = part_end - part_start
                while remaining:
                    block = handle.read(min(1 << 24, remaining))
                    digest.update(block)
                    remaining -= len(block)
            stored.append(StoredTensor(path, start, end, name, parts, digest.hexdigest()))
    return stored


def read_tensor(stored: StoredTensor) -> onnx.TensorProto:
    """A stored initializer parsed (for small ones, which stay in the graph that uses them)."""
    with open(stored.source, "rb") as handle:
        handle.seek(stored.start)
        field = handle.read(stored.size)
    _, position = _varint(field, 0)
    _, position = _varint(field, position)
    return onnx.TensorProto.FromString(field[position:])


def write_with_tensors(model: onnx.ModelProto, tensors: list[tuple[StoredTensor, str]], target: Path) -> None:
    """Write ``model`` to ``target`` with each stored tensor appended to its graph's initializers under the name
    given with it: copied from its file inside the kernel, only its name field written anew."""
    pieces: list[_Piece] = []
    for stored, name in tensors:
        encoded = name.encode()
        name_field = _field(_TENSOR_NAME, len(encoded)) + encoded
        length = len(name_field) + sum(end - start for start, end in stored.parts)
        head = _field(_GRAPH_INITIALIZER, length) + name_field
        pieces.append((head, [(stored.source, start, end) for start, end in stored.parts]))
    _write(model, pieces, target)


def write_with_tensor_data(
    model: onnx.ModelProto,
    tensors: list[tuple[onnx.TensorProto, int, Callable[[], Iterable[memoryview]]]],
    target: Path,
) -> None:
    """Write ``model`` to ``target`` with each tensor (type, dims and name, no data) appended to its graph's
    initializers, its ``raw_data`` the ``length`` bytes its producer gives when they are written: one tensor's
    bytes in memory at a time, never the serialized model."""
    pieces: list[_Piece] = []
    for tensor, length, produce in tensors:
        head = tensor.SerializeToString() + _field(_TENSOR_RAW_DATA, length)
        pieces.append((_field(_GRAPH_INITIALIZER, len(head) + length) + head, [(length, produce)]))
    _write(model, pieces, target)


def align(out: BinaryIO) -> int:
    """Pad ``out`` with zeros to the next multiple of :data:`ALIGNMENT`; returns the new offset."""
    offset = out.tell()
    padding = (-offset) % ALIGNMENT
    write_all(out, b"\0" * padding)
    return offset + padding


def point_to(tensor: onnx.TensorProto, location: str, offset: int, length: int) -> None:
    """Make ``tensor`` an external one: its data is ``length`` bytes at ``offset`` of the file ``location``."""
    tensor.ClearField("raw_data")
    del tensor.external_data[:]
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    tensor.data_location = onnx.TensorProto.EXTERNAL


def save_whole(model: onnx.ModelProto, target: Path) -> None:
    """``onnx.save`` through a ``.partial`` file, so that ``target`` appears complete or not at all."""
    partial = target.with_name(target.name + ".partial")
    try:
        onnx.save(model, str(partial))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
