"""Which exports a test run makes: the default tier, or the full matrix.

- **default** (README command 2, CI): every registered (model type, feature) once, with the default exporter, and
  each encoder-decoder's generation feature once in the split layout; and each distinct graph shape (encoder,
  decoder with past, seq2seq single and split, vision, audio) once per test process with every other exporter,
  and once from TensorFlow, by the first suite collected that has it (so a family's plugin run exercises every
  exporter on each of its shapes, not on each of its model types).
- **shapes** (``ONNXCORE_TEST_MATRIX=shapes``, tox env ``transformers5``): as the default tier, except that each
  model type exports each of its graph shapes once instead of each of its features: what differs between
  transformers versions is a model type's classes, tokenizers and traced code, which one export per shape meets.
- **full** (``ONNXCORE_TEST_MATRIX=full``, tox env ``full``): every feature with every exporter and layout, and every
  feature from TensorFlow. Run it before resolving an issue that touches exporters, configs or post-export steps.

The cost of a case is an export and its validation, so the default tier keeps every contract checked and every
exporter exercised on every shape while the number of exports grows with features, not features x exporters.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

from ..errors import UsageError

MATRIX_VARIABLE = "ONNXCORE_TEST_MATRIX"
TENSORFLOW = "tf2onnx"
#: (exporter, graph shape) -> the model type whose suite exports that shape with that exporter in this process.
_CLAIMED: dict[tuple[str, str], str] = {}
TIERS = ("default", "shapes", "full")
SINGLE, SPLIT = "single", "split"


def current_tier() -> str:
    """This run's tier (``ONNXCORE_TEST_MATRIX``, ``default`` when unset)."""
    tier = os.environ.get(MATRIX_VARIABLE, "default") or "default"
    if tier not in TIERS:
        raise UsageError(f"{MATRIX_VARIABLE}={tier!r} is not a test tier; use one of {', '.join(TIERS)}.")
    return tier


def full_matrix() -> bool:
    """Whether this run tests the full matrix (``ONNXCORE_TEST_MATRIX=full``)."""
    return current_tier() == "full"


def graph_shape(inputs: Iterable[str], use_past: bool, seq2seq: bool, layout: str) -> str:
    """The kind of graph a (config, layout) exports: what differs between them for an exporter."""
    names = set(inputs)
    if layout == SPLIT:
        return "seq2seq split"
    if seq2seq:
        return "seq2seq"
    if names & {"input_features", "input_values"}:
        return "audio"
    if "pixel_values" in names:
        return "vision"
    return "decoder with past" if use_past else "encoder"


def _representatives(
    cases: Sequence[tuple[str, str]], shape_of: Callable[[str, str], str]
) -> dict[str, tuple[str, str]]:
    """One (feature, layout) per graph shape: a language model's ``-with-past`` feature where there is one (it
    also runs the generation check), else the first by name."""
    chosen: dict[str, tuple[str, str]] = {}
    for feature, layout in sorted(cases, key=lambda case: (not case[0].endswith("-lm-with-past"), case)):
        chosen.setdefault(shape_of(feature, layout), (feature, layout))
    return dict(sorted(chosen.items(), key=lambda item: item[1]))


def claimed_elsewhere(owner: str, exporter: str) -> list[str]:
    """The model types whose suites export, with ``exporter``, shapes ``owner``'s suite therefore does not."""
    return sorted({other for (name, _), other in _CLAIMED.items() if name == exporter and other != owner})


def _claimed(owner: str, exporter: str, shapes: dict[str, tuple[str, str]]) -> list[tuple[str, str]]:
    """The cases of ``shapes`` whose shape no other model type's suite exports with ``exporter`` in this process."""
    return [case for shape, case in shapes.items() if _CLAIMED.setdefault((exporter, shape), owner) == owner]


def export_cases(
    cases: Sequence[tuple[str, str]],
    exporters: Sequence[str],
    shape_of: Callable[[str, str], str],
    owner: str,
) -> list[tuple[str, str, str]]:
    """The (feature, exporter, layout) cases of this tier for ``owner``'s suite (a model type), from every
    (feature, layout) that applies (each feature has ``single``); ``exporters[0]`` is the default exporter."""
    if full_matrix():
        return [(feature, exporter, layout) for feature, layout in cases for exporter in exporters]
    default, *others = exporters
    shapes = _representatives(cases, shape_of)
    if current_tier() == "shapes":
        once = [(feature, default, layout) for feature, layout in shapes.values()]
    else:
        once = [(feature, default, SINGLE) for feature in dict.fromkeys(feature for feature, _ in cases)]
        once += [(feature, default, layout) for feature, layout in shapes.values() if layout != SINGLE]
    return once + [
        (feature, exporter, layout) for exporter in others for feature, layout in _claimed(owner, exporter, shapes)
    ]


def tensorflow_cases(
    cases: Sequence[tuple[str, str]],
    shape_of: Callable[[str, str], str],
    owner: str,
    exportable: Callable[[str], bool],
) -> list[tuple[str, str]]:
    """The (feature, layout) cases ``owner``'s suite exports from TensorFlow in this tier: of the features
    transformers has a TF class for (``exportable``), each shape no other suite claimed; and the first feature
    without one, whose refusal costs no export."""
    if full_matrix():
        return list(cases)
    refused = [(feature, layout) for feature, layout in cases if layout == SINGLE and not exportable(feature)]
    shapes = _representatives([case for case in cases if exportable(case[0])], shape_of)
    return _claimed(owner, TENSORFLOW, shapes) + refused[:1]


def tier_exporters(exporters: Sequence[str]) -> tuple[str, ...]:
    """For a plugin's own tests parametrized by exporter: all of them in the full matrix, else the default one
    (the conformance suite runs every other exporter on each graph shape)."""
    return tuple(exporters) if full_matrix() else (exporters[0],)
