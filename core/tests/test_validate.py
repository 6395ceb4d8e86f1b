"""The comparison rule: atol scales with the output's largest value above 1, specials must agree."""

from __future__ import annotations

import numpy as np

from onnxcore.validate import compare_outputs


def test_tolerance_scales_with_the_largest_value_of_the_output() -> None:
    """float32 rounding in a wide matmul grows with the operands: a logit near 0 among logits of 100 is off by
    about as much as the large ones, which elementwise allclose would reject."""
    reference = {"logits": np.array([100.0, 0.001, -50.0])}
    report = compare_outputs(reference, {"logits": np.array([100.0005, 0.0014, -50.0002])}, 1e-5, {})
    assert report.ok and report.checks[0].allowed == 1e-5 * 100
    report = compare_outputs(reference, {"logits": np.array([100.0, 0.0021, -50.0])}, 1e-5, {})
    assert not report.ok and "FAILED" in report.table()


def test_atol_is_absolute_for_small_outputs() -> None:
    reference = {"probabilities": np.array([0.5, 0.25, 0.25])}
    assert compare_outputs(reference, {"probabilities": np.array([0.500009, 0.25, 0.25])}, 1e-5, {}).ok
    report = compare_outputs(reference, {"probabilities": np.array([0.500011, 0.25, 0.25])}, 1e-5, {})
    assert not report.ok and report.checks[0].allowed == 1e-5


def test_nan_and_infinities_must_agree() -> None:
    reference = {"scores": np.array([1.0, np.nan, -np.inf])}
    assert compare_outputs(reference, {"scores": np.array([1.0, np.nan, -np.inf])}, 1e-5, {}).ok
    assert not compare_outputs(reference, {"scores": np.array([1.0, 2.0, -np.inf])}, 1e-5, {}).ok
    assert not compare_outputs(reference, {"scores": np.array([1.0, np.nan, np.inf])}, 1e-5, {}).ok


def test_shape_mismatch_fails() -> None:
    report = compare_outputs({"x": np.zeros((2, 3))}, {"x": np.zeros((3, 2))}, 1e-5, {})
    assert not report.ok and "(3, 2) vs (2, 3)" in report.table()


def test_every_output_is_compared() -> None:
    reference = {"a": np.ones(3), "b": np.zeros(2)}
    report = compare_outputs(reference, {"a": np.ones(3), "b": np.array([0.0, 1.0])}, 1e-5, {})
    assert [(check.name, check.ok) for check in report.checks] == [("a", True), ("b", False)]


def test_an_output_with_nothing_finite_fails() -> None:
    """All NaN in both matches place for place, yet compares nothing: that proves nothing, so it fails."""
    nothing = np.full((2, 3), np.nan)
    report = compare_outputs({"x": nothing}, {"x": nothing.copy()}, 1e-5, {})
    assert not report.ok and report.checks[0].compared == 0
    assert report.table().splitlines()[1].split() == [
        "x",
        "(2,",
        "3)",
        "-",
        "1e-05",
        "FAILED:",
        "nothing",
        "finite",
        "compared",
    ]


def test_a_graph_onnx_runtime_refuses_to_load_is_a_validation_error(tmp_path) -> None:
    """ONNX Runtime's own errors (InvalidGraph here: Min of int64 at opset 11) derive from Exception only; they
    are a one-line ValidationError, not an unforeseen error."""
    import onnx
    import pytest
    from onnx import TensorProto, helper

    from onnxcore.errors import ValidationError
    from onnxcore.validate import ReferenceRun, check_onnx_outputs

    value = helper.make_tensor_value_info("x", TensorProto.INT64, [2])
    graph = helper.make_graph(
        [helper.make_node("Min", ["x", "x"], ["y"])],
        "g",
        [value],
        [helper.make_tensor_value_info("y", TensorProto.INT64, [2])],
    )
    path = tmp_path / "model.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 11)]), path)
    reference = ReferenceRun({"x": np.array([1, 2])}, {"y": np.array([1, 2])}, "PyTorch")
    with pytest.raises(ValidationError, match="ONNX Runtime cannot run model.onnx on the PyTorch model's inputs"):
        check_onnx_outputs(reference, path, ["y"], 1e-5)


def _layer_norm_stack(path, layers: int = 6, width: int = 64) -> None:
    """MatMul, Add and a LayerNorm spelled out in primitive ops, ``layers`` times: ONNX Runtime fuses the LayerNorm
    at its full optimization level only, so its levels round differently."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    nodes, initializers, current = [], [], "x"
    for index in range(layers):
        weight = numpy_helper.from_array((rng.standard_normal((width, width)) / 8).astype(np.float32), f"w{index}")
        bias = numpy_helper.from_array(rng.standard_normal(width).astype(np.float32), f"b{index}")
        scale = numpy_helper.from_array((1 + rng.standard_normal(width) / 4).astype(np.float32), f"g{index}")
        shift = numpy_helper.from_array(rng.standard_normal(width).astype(np.float32), f"s{index}")
        initializers += [weight, bias, scale, shift]
        steps = ("mm", "add", "mean", "centred", "square", "var", "eps", "std", "normed", "scaled", "out")
        names = [f"{step}{index}" for step in steps]
        nodes += [
            helper.make_node("MatMul", [current, weight.name], [names[0]]),
            helper.make_node("Add", [names[0], bias.name], [names[1]]),
            helper.make_node("ReduceMean", [names[1]], [names[2]], axes=[-1]),
            helper.make_node("Sub", [names[1], names[2]], [names[3]]),
            helper.make_node("Pow", [names[3], "two"], [names[4]]),
            helper.make_node("ReduceMean", [names[4]], [names[5]], axes=[-1]),
            helper.make_node("Add", [names[5], "epsilon"], [names[6]]),
            helper.make_node("Sqrt", [names[6]], [names[7]]),
            helper.make_node("Div", [names[3], names[7]], [names[8]]),
            helper.make_node("Mul", [names[8], scale.name], [names[9]]),
            helper.make_node("Add", [names[9], shift.name], [names[10]]),
        ]
        current = names[10]
    initializers.append(numpy_helper.from_array(np.array(1e-5, np.float32), "epsilon"))
    initializers.append(numpy_helper.from_array(np.array(2.0, np.float32), "two"))
    graph = helper.make_graph(
        nodes,
        "stack",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4, width])],
        [helper.make_tensor_value_info(current, TensorProto.FLOAT, [4, width])],
        initializers,
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), path)


def test_float32_rounding_noise_of_the_runtime_widens_the_bound_and_no_further(tmp_path) -> None:
    """An export as far from the framework model as ONNX Runtime's fusion levels are from each other is float32
    rounding (a random flan-t5-xl encoder is 7x atol from itself): it passes an atol it misses; three times that
    noise is not rounding, and fails."""
    import pytest

    from onnxcore.errors import ValidationError
    from onnxcore.validate import ReferenceRun, check_onnx_outputs, onnxruntime_session, runtime_rounding_noise

    path = tmp_path / "model.onnx"
    _layer_norm_stack(path)
    feed = {"x": np.random.default_rng(1).standard_normal((4, 64)).astype(np.float32)}
    (name,) = [output.name for output in onnxruntime_session(path).get_outputs()]
    fused = onnxruntime_session(path).run([name], feed)[0]
    unfused = onnxruntime_session(path, fusing="none").run([name], feed)[0]
    noise = runtime_rounding_noise(path, feed, {name: fused})[name]
    assert noise > 0 and noise >= float(np.abs(fused - unfused).max())
    report = check_onnx_outputs(ReferenceRun(feed, {name: unfused}, "PyTorch"), path, [name], 1e-12)
    assert report.ok and report.checks[0].allowed == 2 * noise
    off = fused.astype(np.float64).copy()
    off[0, 0] += 3 * noise
    with pytest.raises(ValidationError, match=f"validation failed for {name}"):
        check_onnx_outputs(ReferenceRun(feed, {name: off}, "PyTorch"), path, [name], 1e-12)
