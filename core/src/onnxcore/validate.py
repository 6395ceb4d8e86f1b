"""Validation: run the ONNX file in ONNX Runtime and the framework model on the same inputs, compare outputs.

Inputs come from ``OnnxConfig.generate_validation_inputs`` (a batch and length other than the export's).
Every declared output is compared: same shape, NaN and infinities in the same places, at least one finite value
(an output that is all NaN compares nothing, and fails), and ``max |onnx - reference| <= atol * max(1, max
|reference|)``: ``atol`` is absolute for outputs of magnitude up to 1 and relative to the output's largest value
above that. transformers.onnx used numpy ``allclose`` (``atol + 1e-5 * |reference|`` per element), which fails
large-valued outputs on float32 rounding: rounding in a wide matmul grows with the operands, so a logit near 0 among
logits of 100 is off by as much as the large ones (1.6e-4 on a flan-t5-small-sized model). Where that fails at
float32, the bound grows to twice ONNX Runtime's own rounding noise on the file (its outputs with fewer fusions,
:func:`runtime_rounding_noise`): a deep, wide model such as flan-t5-xl is further than ``atol`` from itself in
float32. An ``--atol`` the user gives is held as it is. Any failure raises
:class:`~onnxcore.errors.ValidationError` carrying the whole table.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import OnnxConfig, as_numpy
from .config_contract import check_fixed_axes
from .errors import ValidationError, first_line, model_forward_failures
from .frameworks import framework_of
from .model_inputs import PAST_INPUT, PRESENT_OUTPUT, config_overrides, flatten_named, forward_arguments
from .outputs import flatten_model_outputs


@dataclasses.dataclass
class OutputCheck:
    """Comparison of one output."""

    name: str
    reference_shape: tuple[int, ...]
    onnx_shape: tuple[int, ...]
    max_abs_diff: float
    allowed: float
    ok: bool
    compared: int  # finite values compared; 0 for a non-empty output proves nothing, and fails

    @property
    def nothing_finite(self) -> bool:
        """Whether the output has values but none finite to compare (a model that computes NaN, say)."""
        return self.compared == 0 and self.reference_shape == self.onnx_shape and 0 not in self.reference_shape


@dataclasses.dataclass
class ValidationReport:
    """Per-output comparison of ONNX Runtime against the framework model."""

    atol: float
    input_shapes: dict[str, tuple[int, ...]]
    checks: list[OutputCheck]
    not_run: str | None = None  # why ONNX Runtime could not run the file (no CPU kernel at its dtype): no checks

    @property
    def ok(self) -> bool:
        """Whether the file ran and every output matched (false for a file that was not run, whose ``as_dict``
        says ``ok: null``: nothing failed, nothing passed)."""
        return self.not_run is None and all(check.ok for check in self.checks)

    def table(self) -> str:
        """The comparison as an aligned text table."""
        if self.not_run is not None:
            return f"not run in ONNX Runtime: {self.not_run}; no output was checked"
        rows = [("output", "shape", "max |diff|", "allowed", "result")]
        for check in self.checks:
            shape = str(check.onnx_shape)
            if check.onnx_shape != check.reference_shape:
                shape = f"{check.onnx_shape} vs {check.reference_shape}"
            result = "ok" if check.ok else "FAILED: nothing finite compared" if check.nothing_finite else "FAILED"
            diff = "-" if check.nothing_finite else f"{check.max_abs_diff:.3g}"
            rows.append((check.name, shape, diff, f"{check.allowed:.3g}", result))
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self) | {"ok": self.ok if self.not_run is None else None}


def not_run_files(reports: Mapping[str, ValidationReport]) -> list[str]:
    """The files (or branches) of ``reports`` that ONNX Runtime could not run at their --dtype."""
    return [name for name, report in reports.items() if report.not_run is not None]


#: ONNX Runtime's own exception classes (``onnxruntime.capi.onnxruntime_pybind11_state``): they derive from
#: ``Exception`` alone, so ``except RuntimeError`` misses an invalid graph or a failed run.
_ORT_ERRORS = (
    "EPFail",
    "EngineError",
    "Fail",
    "InvalidArgument",
    "InvalidGraph",
    "InvalidProtobuf",
    "ModelLoaded",
    "NoModel",
    "NoSuchFile",
    "NotImplemented",
    "RuntimeException",
)


def onnxruntime_errors() -> tuple[type[BaseException], ...]:
    """What loading or running a session raises when the graph, not onnxcore, is at fault."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state  # lazily: keeps `import onnxcore` light

    return (RuntimeError, ValueError, *(getattr(state, name) for name in _ORT_ERRORS if hasattr(state, name)))


def onnxruntime_session(onnx_model: Path, sessions: dict[Path, Any] | None = None, fusing: str = "all") -> Any:
    """A CPU ONNX Runtime session that logs errors only (its warnings about unused initializers are noise here).

    ``sessions``: made once per file and reused, so that validation and the generation check of one export
    share them (a session of a large model takes seconds to make). ``fusing``: ONNX Runtime's graph optimizations,
    ``all`` (its default), ``basic`` or ``none``.
    """
    import onnxruntime  # lazily: keeps `import onnxcore` light

    from . import onnx_wire

    if sessions is not None and onnx_model in sessions:
        return sessions[onnx_model]
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    levels = onnxruntime.GraphOptimizationLevel
    options.graph_optimization_level = {
        "all": levels.ORT_ENABLE_ALL,
        "basic": levels.ORT_ENABLE_BASIC,
        "none": levels.ORT_DISABLE_ALL,
    }[fusing]
    # the weights stay in the file, memory-mapped, rather than copied into the session's heap: prepacking would
    # copy them, and inline ones are read from where they lie (onnx_wire.in_place_model)
    options.add_session_config_entry("session.disable_prepacking", "1")
    # no arena: it keeps each session's largest activations reserved, and validation and the generation check
    # hold an encoder's and a decoder's sessions at once (whisper-large-v3: GB of 1500-position attention)
    options.enable_cpu_mem_arena = False
    in_place = onnx_wire.in_place_model(onnx_model)
    if in_place is None:
        model: str | bytes = str(onnx_model)
    else:
        model = in_place.SerializeToString()
        options.add_session_config_entry("session.model_external_initializers_file_folder_path", str(onnx_model.parent))
    session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    if sessions is not None:
        sessions[onnx_model] = session
    return session


def compare_outputs(
    reference: Mapping[str, Any],
    onnx_outputs: Mapping[str, Any],
    atol: float,
    input_shapes: Mapping[str, Any],
    noise: Mapping[str, float] | None = None,
) -> ValidationReport:
    """Compare each named output by the rule in this module's docstring; ``noise``: per output, how far the
    half-precision model is from itself at float32, of which twice is allowed too (see ``precision.py``)."""
    checks = []
    for name, onnx_value in onnx_outputs.items():
        ref = as_numpy(reference[name])
        got = np.asarray(onnx_value)
        if ref.shape != got.shape:
            checks.append(OutputCheck(name, tuple(ref.shape), tuple(got.shape), float("inf"), atol, False, 0))
            continue
        want, have = ref.astype(np.float64), got.astype(np.float64)
        finite = np.isfinite(want)
        # NaN and infinities must sit in the same places with the same values; the rest is compared by value
        same_specials = bool(
            np.array_equal(finite, np.isfinite(have)) and np.array_equal(want[~finite], have[~finite], equal_nan=True)
        )
        diff = np.abs(have[finite] - want[finite])
        max_diff = float(diff.max()) if diff.size else 0.0
        allowed = atol * max(1.0, float(np.abs(want[finite]).max()) if diff.size else 0.0)
        allowed = max(allowed, 2 * (noise or {}).get(name, 0.0))
        if not same_specials:
            max_diff = float("inf")
        ok = same_specials and max_diff <= allowed and (diff.size > 0 or want.size == 0)
        checks.append(OutputCheck(name, tuple(ref.shape), tuple(got.shape), max_diff, allowed, ok, int(diff.size)))
    return ValidationReport(atol, {k: tuple(np.shape(v)) for k, v in input_shapes.items()}, checks)


def _reference_outputs(config: OnnxConfig, model: Any, model_inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The framework model's declared outputs on ``model_inputs`` (numpy arrays), flattened by name."""
    shapes = {name: value.shape for name, value in model_inputs.items()}
    ops = framework_of(model).ops
    model = ops.for_inference(model)
    with ops.no_grad(), config_overrides(model, config):
        tensors = {name: ops.at_model_dtype(ops.to_tensor(value), model) for name, value in model_inputs.items()}
        arguments = forward_arguments(config, model, tensors)
        with model_forward_failures(shapes, "validation"):
            outputs = model(**arguments)
        return flatten_model_outputs(config, outputs)


@dataclasses.dataclass
class ReferenceRun:
    """The framework model's outputs on the validation inputs, kept so that the model can be freed before
    ONNX Runtime loads the export (a large model then never sits in memory twice)."""

    ort_inputs: dict[str, np.ndarray]
    outputs: dict[str, Any]
    label: str
    config: Any = None  # the OnnxConfig the inputs follow, to name it when an axis it left static varies
    dtype: str = "float32"  # the model's (--dtype): ONNX Runtime's CPU provider lacks some kernels below float32
    noise: dict[str, float] | None = None  # below float32: max |output - the model's output at float32|


def reference_run(config: OnnxConfig, preprocessor: Any, reference_model: Any) -> ReferenceRun:
    """Run ``reference_model`` on ``config``'s validation inputs."""
    framework = framework_of(reference_model)
    inputs = flatten_named(config, config.generate_validation_inputs(preprocessor, framework=framework.input_framework))
    model_inputs = {name: as_numpy(value) for name, value in inputs.items() if name in config.inputs}
    outputs = {
        name: as_numpy(value) for name, value in _reference_outputs(config, reference_model, model_inputs).items()
    }
    onnx_inputs = flatten_named(config, config.generate_dummy_inputs_onnxruntime(model_inputs))
    ort_inputs = {name: as_numpy(value) for name, value in onnx_inputs.items()}
    outputs = _passed_through(outputs, ort_inputs)
    dtype = framework.ops.model_dtype(reference_model)
    noise = None
    if dtype != "float32":  # how far rounding at the dtype moves the model itself: the export may differ as much
        with framework.ops.widened(reference_model):
            wide = _reference_outputs(config, reference_model, model_inputs)
        noise = {
            name: _max_difference(outputs[name], as_numpy(value)) for name, value in wide.items() if name in outputs
        }
    return ReferenceRun(ort_inputs, outputs, framework.label, config, dtype, noise)


def _passed_through(outputs: dict[str, np.ndarray], inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``outputs`` with each ``present.*`` that equals its ``past_key_values.*`` input held as that input: a
    decoder with past passes the cross-attention past through, which on whisper-large-v3 at the validation batch
    is 1.5 GB kept twice otherwise."""
    shared = dict(outputs)
    for name, value in outputs.items():
        if not name.startswith(PRESENT_OUTPUT + "."):
            continue
        given = inputs.get(PAST_INPUT + name.removeprefix(PRESENT_OUTPUT))
        if given is not None and given.shape == value.shape and given.dtype == value.dtype:
            if np.array_equal(given, value, equal_nan=True):
                shared[name] = given
    return shared


def _max_difference(first: np.ndarray, second: np.ndarray) -> float:
    """max |first - second| over the values finite in both (0 when the shapes differ or none are)."""
    if first.shape != second.shape:
        return 0.0
    a, b = first.astype(np.float64), second.astype(np.float64)
    both = np.isfinite(a) & np.isfinite(b)
    return float(np.abs(a[both] - b[both]).max()) if both.any() else 0.0


#: ONNX Runtime's types of float inputs, as numpy dtypes
_FLOAT_INPUTS = {"tensor(float16)": np.float16, "tensor(float)": np.float32, "tensor(double)": np.float64}


def session_feed(session: Any, feed: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``feed`` with each float array at the type ``session`` declares for it: an fp16 graph (``--dtype fp16``)
    takes float16 pixels, features and past, which the reference inputs hold as float32."""
    declared = {value.name: _FLOAT_INPUTS.get(value.type) for value in session.get_inputs()}
    return {
        name: array.astype(declared[name]) if array.dtype.kind == "f" and declared.get(name) else array
        for name, array in feed.items()
    }


_MISSING_KERNEL = re.compile(r"Could not find an implementation for (\w+)\((\d+)\) node with name '([^']*)'")


def check_structure(onnx_model: Path) -> None:
    """What can be checked of a file ONNX Runtime cannot run: onnx's full checker, with strict shape inference
    (by path: the weights stay on disk). Raises ValidationError."""
    import onnx  # lazily: keeps `import onnxcore` light

    try:
        onnx.checker.check_model(str(onnx_model), full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as exc:
        raise ValidationError(f"{onnx_model.name} is not a valid ONNX model: {first_line(exc)}") from exc


def missing_kernel(exc: BaseException) -> str | None:
    """The op a session could not be made for, as ``Add (node /embeddings/Add)``; None for other errors."""
    found = _MISSING_KERNEL.search(str(exc))
    return f"{found[1]} (node {found[3]})" if found else None


def check_onnx_outputs(
    reference: ReferenceRun,
    onnx_model: Path,
    onnx_named_outputs: Sequence[str],
    atol: float,
    sessions: dict[Path, Any] | None = None,
    rounding_noise: bool = True,
) -> ValidationReport:
    """Run ``onnx_model`` on the reference's inputs and compare; raises ValidationError with the table on
    mismatch. ``rounding_noise``: where float32 outputs miss ``atol``, allow twice ONNX Runtime's own rounding
    noise on the file (:func:`runtime_rounding_noise`); False holds them to ``atol`` alone (a given ``--atol``)."""
    missing = [name for name in onnx_named_outputs if name not in reference.outputs]
    if missing:
        raise ValidationError(
            f"outputs {', '.join(missing)} are in the ONNX model but the reference model does not return them."
        )
    try:
        session = onnxruntime_session(onnx_model, sessions)
    except onnxruntime_errors() as exc:
        gap = missing_kernel(exc) if reference.dtype != "float32" else None
        if gap is None:
            raise ValidationError(
                f"ONNX Runtime cannot run {onnx_model.name} on the {reference.label} model's inputs: {first_line(exc)}"
            ) from exc
        check_structure(onnx_model)
        shapes = {name: tuple(value.shape) for name, value in reference.ort_inputs.items()}
        why = f"its CPU provider has no {reference.dtype} kernel for {gap} (onnx's checker and shape inference pass)"
        return ValidationReport(atol, shapes, [], why)
    try:
        if reference.config is not None:
            exported = {value.name: value.shape for value in session.get_inputs()}
            check_fixed_axes(reference.config, exported, {k: v.shape for k, v in reference.ort_inputs.items()})
        ort_values = session.run(list(onnx_named_outputs), session_feed(session, reference.ort_inputs))
    except onnxruntime_errors() as exc:  # ONNX Runtime's load and run errors (missing inputs, invalid graph)
        raise ValidationError(
            f"ONNX Runtime cannot run {onnx_model.name} on the {reference.label} model's inputs: {first_line(exc)}"
        ) from exc
    onnx_outputs = dict(zip(onnx_named_outputs, ort_values))
    report = compare_outputs(reference.outputs, onnx_outputs, atol, reference.ort_inputs, reference.noise)
    if not report.ok and rounding_noise and reference.dtype == "float32":
        feed = session_feed(session, reference.ort_inputs)
        # each session maps the weights anew, and a process's RSS counts each mapping of a page: one at a time
        del session
        if sessions is not None:
            sessions.pop(onnx_model, None)
        noise = runtime_rounding_noise(onnx_model, feed, onnx_outputs)
        report = compare_outputs(reference.outputs, onnx_outputs, atol, reference.ort_inputs, noise)
    if not report.ok:
        raise ValidationError(f"validation failed for {_failures(report, reference.label)}\n{report.table()}")
    return report


def runtime_rounding_noise(
    onnx_model: Path, feed: Mapping[str, np.ndarray], outputs: Mapping[str, np.ndarray]
) -> dict[str, float]:
    """How far float32 rounding alone moves ``onnx_model``'s outputs: per output, the largest difference between
    ``outputs`` (ONNX Runtime's, fully fused) and the same graph run on ``feed`` with basic fusions only, and with
    none, each of which rounds in another order.

    A deep, wide model is that far from itself: on a random flan-t5-xl encoder, whose outputs reach 4.2, the three
    levels differ by up to 2.5e-4, PyTorch at float32 is 3.1e-4 from itself at float64, and ONNX Runtime 3.5e-4 from
    PyTorch, 7 times ``atol=1e-5`` of the largest output. An export within twice this noise of the framework model
    is as close as float32 allows; a wrong graph is wrong at every level and still fails. Taken only when the plain
    comparison fails, since it makes two more sessions, one at a time."""
    noise = dict.fromkeys(outputs, 0.0)
    for fusing in ("basic", "none"):
        session = onnxruntime_session(onnx_model, fusing=fusing)
        values = session.run(list(outputs), dict(feed))
        del session
        for name, value in zip(outputs, values):
            noise[name] = max(noise[name], _max_difference(np.asarray(outputs[name]), np.asarray(value)))
    return noise


def _failures(report: ValidationReport, label: str) -> str:
    """What failed, in words: outputs with nothing finite to compare, then outputs that differ."""
    empty = [check.name for check in report.checks if not check.ok and check.nothing_finite]
    differing = [check.name for check in report.checks if not check.ok and not check.nothing_finite]
    reasons = []
    if empty:
        reasons.append(
            f"{', '.join(empty)}: the {label} model's values are all NaN or infinite, so nothing finite was compared"
            " (check the checkpoint's weights)"
        )
    if differing:
        reasons.append(
            f"{', '.join(differing)}: ONNX Runtime differs from the {label} model beyond atol={report.atol:g}"
        )
    return "; ".join(reasons)


def validate_model_outputs(
    config: OnnxConfig,
    preprocessor: Any,
    reference_model: Any,
    onnx_model: Path,
    onnx_named_outputs: Sequence[str],
    atol: float,
    tokenizer: Any = None,
) -> ValidationReport:
    """Check ``onnx_model`` against ``reference_model``; raises ValidationError with the table on mismatch."""
    if tokenizer is not None:
        preprocessor = tokenizer
    return check_onnx_outputs(
        reference_run(config, preprocessor, reference_model), onnx_model, onnx_named_outputs, atol
    )
