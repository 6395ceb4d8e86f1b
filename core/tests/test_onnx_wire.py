"""Editing an inline ONNX file at the wire level keeps its weights byte for byte."""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from onnxcore import onnx_wire


def _model(weights: list[np.ndarray]) -> onnx.ModelProto:
    nodes = [helper.make_node("MatMul", ["x", "w0"], ["h0"])]
    nodes += [helper.make_node("MatMul", [f"h{i - 1}", f"w{i}"], [f"h{i}"]) for i in range(1, len(weights))]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["s_0", 8])],
        [helper.make_tensor_value_info(f"h{len(weights) - 1}", onnx.TensorProto.FLOAT, ["s_0", 8])],
        [numpy_helper.from_array(weight, f"w{index}") for index, weight in enumerate(weights)],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="test")


def test_skeleton_edit_and_rewrite(tmp_path) -> None:
    weights = [np.random.default_rng(index).standard_normal((8, 8)).astype(np.float32) for index in range(3)]
    path = tmp_path / "model.onnx"
    onnx.save(_model(weights), str(path))
    skeleton = onnx_wire.read_skeleton(path)
    assert skeleton is not None and not skeleton.external
    assert skeleton.initializer_names == ["w0", "w1", "w2"] and len(skeleton.model.graph.initializer) == 0
    skeleton.model.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "batch"
    onnx_wire.write_with_initializers(skeleton.model, skeleton, path, path)
    written = onnx.load(str(path))
    onnx.checker.check_model(written)
    assert written.producer_name == "test" and written.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    for tensor, weight in zip(written.graph.initializer, weights):
        np.testing.assert_array_equal(numpy_helper.to_array(tensor), weight)
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_external_initializers_are_reported(tmp_path) -> None:
    path = tmp_path / "model.onnx"
    weights = [np.ones((64, 64), dtype=np.float32)]
    onnx.save(_model(weights), str(path), save_as_external_data=True, size_threshold=0)
    skeleton = onnx_wire.read_skeleton(path)
    assert skeleton is not None and skeleton.external


def test_copy_without_copy_file_range(tmp_path, monkeypatch) -> None:
    """Where the kernel copy is missing (macOS, Windows) or refused, bytes go through a buffer."""
    import errno
    import os

    source = tmp_path / "source"
    source.write_bytes(bytes(range(256)) * 100)

    def refused(*args):
        raise OSError(errno.ENOSYS, "not here")

    for patch in (
        lambda: monkeypatch.delattr(os, "copy_file_range"),
        lambda: monkeypatch.setattr(os, "copy_file_range", refused),
    ):
        patch()
        target = tmp_path / "target"
        with open(source, "rb") as reader, open(target, "wb", buffering=0) as out:
            onnx_wire.copy_range(reader, out, 300, 20000)
        assert target.read_bytes() == source.read_bytes()[300:20300]
        monkeypatch.undo()


def test_unreadable_files_fall_back_to_a_whole_load(tmp_path) -> None:
    path = tmp_path / "model.onnx"
    onnx.save(_model([np.ones((8, 8), dtype=np.float32)]), str(path))
    path.write_bytes(path.read_bytes()[:-7])  # truncated inside the last weight
    assert onnx_wire.read_skeleton(path) is None
