"""How far each ``--quantize`` variant is from the framework model: metrics that fit a quantized graph, which cannot
meet fp32's atol, taken on the same validation inputs and the same framework outputs as the fp32 files' check.

Per output: ``cosine`` similarity (float64, over the values the reference has finite), ``scaled_diff`` (``max |diff|
/ max |reference|``) and, for logits, ``top1``: the share of positions whose argmax over the last axis is the
reference's. For generating models, the variant's greedy tokens and the first position where they leave
``generate()``'s. A variant whose metrics miss its :class:`~onnxcore.variants.Thresholds` fails the export.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import as_numpy
from .errors import ValidationError, first_line
from .generation import GenerationReference, onnx_generation_tokens
from .validate import ReferenceRun, onnxruntime_errors, onnxruntime_session
from .variants import Variant


def output_metrics(name: str, reference: Any, onnx_value: Any) -> dict[str, float | None]:
    """The metrics of one output (``top1`` only for an output named ``*logits``); None where nothing finite was
    compared."""
    want, have = as_numpy(reference).astype(np.float64), np.asarray(onnx_value).astype(np.float64)
    if want.shape != have.shape:
        return {"cosine": None, "scaled_diff": None, "top1": None}
    finite = np.isfinite(want)
    if not finite.any() or not np.isfinite(have[finite]).all():
        return {"cosine": None, "scaled_diff": None, "top1": None}
    a, b = want[finite], have[finite]
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    cosine = float(a @ b / norms) if norms else float(np.array_equal(a, b))
    scale = float(np.abs(a).max())
    scaled = float(np.abs(a - b).max() / scale) if scale else float(np.abs(b).max())
    top1 = None
    if name.endswith("logits") and want.ndim >= 1 and want.size and finite.all():
        top1 = float((want.argmax(axis=-1) == have.argmax(axis=-1)).mean())
    return {"cosine": cosine, "scaled_diff": scaled, "top1": top1}


@dataclasses.dataclass
class VariantReport:
    """One variant's metrics per check (a file, or a branch of the merged decoder) and output."""

    variant: str
    files: list[str]
    thresholds: dict[str, float]
    checks: dict[str, dict[str, dict[str, float | None]]]
    failures: list[str]
    generation: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self) | {"ok": self.ok}

    def summary_row(self) -> tuple[str, ...]:
        """Its row of the CLI's table: files, the worst of each metric, and the greedy tokens' agreement."""
        metrics = [metrics for outputs in self.checks.values() for metrics in outputs.values()]

        def worst(name: str, pick: Any) -> str:
            values = [value[name] for value in metrics if value[name] is not None]
            return f"{pick(values):.4g}" if values else "-"

        tokens = "-"
        if self.generation is not None:
            divergence = self.generation["first_divergence"]
            same = sum(index is None for index in divergence)
            tokens = f"{same}/{len(divergence)} identical" + "".join(
                f", prompt {row + 1} from token {index}" for row, index in enumerate(divergence) if index is not None
            )
        files = ", ".join(self.files)
        return (self.variant, files, worst("cosine", min), worst("scaled_diff", max), worst("top1", min), tokens)


def check_variant(
    variant: Variant,
    references: Mapping[str, ReferenceRun],
    files: Mapping[str, str],
    output_names: Mapping[str, Sequence[str]],
    folder: Path,
    sessions: dict[Path, Any],
) -> VariantReport:
    """Run ``variant``'s file of each check on the reference inputs and take the metrics; raises
    ValidationError when ONNX Runtime cannot run a file. ``sessions``: one per file, shared by the merged
    decoder's two checks and the generation loop (:func:`~onnxcore.validate.onnxruntime_session`)."""
    checks: dict[str, dict[str, dict[str, float | None]]] = {}
    failures = []
    for check_name, reference in references.items():
        onnx_file = folder / variant.file_name(files[check_name])
        names = list(output_names[check_name])
        try:
            values = onnxruntime_session(onnx_file, sessions).run(names, reference.ort_inputs)
        except onnxruntime_errors() as exc:
            raise ValidationError(
                f"ONNX Runtime cannot run the {variant.name} variant {onnx_file.name}: {first_line(exc)}"
            ) from exc
        checks[check_name] = {}
        for name, value in zip(names, values):
            metrics = output_metrics(name, reference.outputs[name], value)
            checks[check_name][name] = metrics
            if metrics["cosine"] is None:
                failures.append(
                    f"{check_name} {name}: nothing finite to compare, or a shape other than the reference's"
                )
            else:
                failures += [f"{check_name} {name}: {missed}" for missed in variant.thresholds.failures(metrics)]
    names = sorted({variant.file_name(name) for name in files.values()})
    return VariantReport(variant.name, names, dataclasses.asdict(variant.thresholds), checks, failures)


def variant_generation(
    variant: Variant, target: Path, reference: GenerationReference, split: bool, sessions: dict[Path, Any]
) -> dict[str, Any]:
    """The variant's greedy tokens and, per prompt, the first new-token position where they leave the reference's
    (None: the same tokens)."""
    onnx_target = target if split else target.with_name(variant.file_name(target.name))
    suffix = variant.mode.suffix if split else ""
    tokens = onnx_generation_tokens(onnx_target, reference, sessions, suffix).tolist()
    expected = reference.tokens.tolist()
    divergence = [
        next((index for index, (got, want) in enumerate(zip(row, wanted)) if got != want), None)
        for row, wanted in zip(tokens, expected)
    ]
    return {"tokens": tokens, "reference_tokens": expected, "first_divergence": divergence}
