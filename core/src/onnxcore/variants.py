"""``--quantize MODE[,MODE...]``: smaller variants written beside the fp32 files, under the names transformers.js
loads with its ``dtype`` option, each made with ONNX Runtime's own tools and held to thresholds that fit it.

| mode    | file suffix   | how                                                                             |
|---------|---------------|---------------------------------------------------------------------------------|
| fp16    | ``_fp16``     | ``onnxruntime.transformers.float16``: weights and compute in float16            |
| q8      | ``_quantized``| ``quantize_dynamic``: 7-bit int8 weights, per channel, dynamic uint8 activations |
| int8    | ``_int8``     | ``quantize_dynamic``: 7-bit int8 weights, per tensor                            |
| uint8   | ``_uint8``    | ``quantize_dynamic``: uint8 weights, per tensor                                 |
| q4      | ``_q4``       | ``MatMulNBitsQuantizer``: 4-bit blocks of 32 for MatMul (Gemm rewritten as     |
|         |               | MatMul first), embeddings (Gather) int8                                         |
| q4f16   | ``_q4f16``    | fp16, then 4-bit blocks with float16 scales (embeddings float16)                |

Every variant keeps the fp32 files' inputs and outputs, float32 ones included (float16 variants cast at their
edges), so a runtime feeds it as it feeds the fp32 file; transformers.js's default ``kv_cache_dtype`` is float32.
The suffix goes on every file of a split export (``encoder_model_q4.onnx``, ``decoder_model_merged_q4.onnx``).

Signed 8-bit weights take 7 bits (``reduce_range``): on an x86 CPU without VNNI, ONNX Runtime multiplies uint8 by
int8 with ``vpmaddubsw``, whose int16 pair sums saturate at full range, and the tiny Whisper's q8 decoder fell from
cosine 0.975 to 0.674 there (emulated Haswell). At 7 bits the sums cannot saturate, so a file gives the same
outputs with VNNI and without (0.952 on both).

Thresholds, ``MODE:metric=value:...`` on the command line (``q8:cosine=0.999``), bound three metrics taken
against the framework model on the validation inputs (:mod:`onnxcore.variant_checks`): ``cosine`` (lowest cosine
similarity of an output), ``top1`` (lowest agreement of a logits output's argmax) and ``scaled_diff`` (largest
``max |diff| / max |reference|``).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import UsageError
from .optimization import quiet_tools

#: Ops whose weights the 8-bit modes quantize (Attention and EmbedLayerNormalization: the fused ops of --optimize).
_INT8_OPS = ("MatMul", "Gemm", "Gather", "Attention", "EmbedLayerNormalization")
Q4_BLOCK_SIZE = 32


@dataclasses.dataclass(frozen=True)
class Thresholds:
    """What a variant must reach on every output to be written."""

    cosine: float  # lowest cosine similarity to the reference
    top1: float  # lowest share of positions whose logits argmax matches the reference's
    scaled_diff: float  # highest max |diff| / max |reference|

    def failures(self, metrics: Mapping[str, float | None]) -> list[str]:
        """The thresholds ``metrics`` (one output's) miss, in words."""
        missed = []
        if metrics["cosine"] < self.cosine:
            missed.append(f"cosine {metrics['cosine']:.4f} < {self.cosine:g}")
        top1 = metrics.get("top1")
        if top1 is not None and top1 < self.top1:
            missed.append(f"top-1 agreement {top1:.3f} < {self.top1:g}")
        if metrics["scaled_diff"] > self.scaled_diff:
            missed.append(f"scaled max |diff| {metrics['scaled_diff']:.4f} > {self.scaled_diff:g}")
        return missed


@dataclasses.dataclass(frozen=True)
class Mode:
    """One ``--quantize`` mode: its file suffix and default thresholds."""

    name: str
    suffix: str
    thresholds: Thresholds
    #: Made from the exporter's graph, before ``--optimize``: its fused Attention and EmbedLayerNormalization hold
    #: the projections and embeddings where the 4-bit quantizer, which takes MatMul and Gather, cannot reach them.
    before_optimization: bool = False


#: Defaults calibrated on the tiny random checkpoints of examples/ (the hardest case: near-uniform logits, so small
#: errors flip argmaxes): each passes every example with a margin, and a graph computing another function (cosine
#: near 0) fails. Deployments tighten them per mode (``q8:cosine=0.999``); docs/variants.md has the figures.
MODES = {
    mode.name: mode
    for mode in (
        Mode("fp16", "_fp16", Thresholds(cosine=0.999, top1=0.9, scaled_diff=0.15)),
        Mode("q8", "_quantized", Thresholds(cosine=0.9, top1=0.6, scaled_diff=1.0)),
        Mode("int8", "_int8", Thresholds(cosine=0.9, top1=0.6, scaled_diff=1.0)),
        Mode("uint8", "_uint8", Thresholds(cosine=0.9, top1=0.6, scaled_diff=1.0)),
        Mode("q4", "_q4", Thresholds(cosine=0.7, top1=0.15, scaled_diff=2.0), before_optimization=True),
        Mode("q4f16", "_q4f16", Thresholds(cosine=0.7, top1=0.15, scaled_diff=2.0), before_optimization=True),
    )
}


@dataclasses.dataclass(frozen=True)
class Variant:
    """A requested variant: its mode and the thresholds it is held to (the mode's, with the user's over them)."""

    mode: Mode
    thresholds: Thresholds

    @property
    def name(self) -> str:
        return self.mode.name

    def file_name(self, name: str) -> str:
        """``model.onnx`` -> ``model_q4.onnx``; ``onnx/decoder_model_merged.onnx`` ->
        ``onnx/decoder_model_merged_q4.onnx``."""
        stem, dot, extension = name.rpartition(".")
        return f"{stem}{self.mode.suffix}{dot}{extension}"


#: the values each threshold can take: a cosine and a top-1 agreement beyond them can never be met, nor passed
THRESHOLD_RANGES = {"cosine": (-1.0, 1.0), "top1": (0.0, 1.0), "scaled_diff": (0.0, math.inf)}


def _threshold(item: str, metric: str, value: str) -> float:
    """``value`` as ``metric``'s threshold; UsageError for a non-number or a value outside its range."""
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):  # nan would pass every comparison, so every variant
        raise UsageError(f"--quantize {item!r}: {metric} needs a number, as in {metric}=0.99.")
    low, high = THRESHOLD_RANGES[metric]
    if not low <= number <= high:
        bound = f"at least {low:g}" if high == math.inf else f"between {low:g} and {high:g}"
        raise UsageError(f"--quantize {item!r}: {metric} is {bound}, not {number:g}.")
    return number


def parse_variants(text: str | None) -> tuple[Variant, ...]:
    """``--quantize``'s value: modes at commas, each with optional ``:metric=value`` thresholds."""
    if text is None:
        return ()
    variants: dict[str, Variant] = {}
    for item in (part.strip() for part in text.split(",")):
        name, *settings = item.split(":")
        if name not in MODES:
            raise UsageError(f"--quantize {name!r} is not a mode; use one or more of {', '.join(MODES)}.")
        if name in variants:
            raise UsageError(
                f"--quantize names {name} twice; give it once, with all its thresholds ({name}:cosine=...)."
            )
        thresholds = dataclasses.asdict(MODES[name].thresholds)
        given: set[str] = set()
        for setting in settings:
            metric, _, value = setting.partition("=")
            if metric not in thresholds:
                raise UsageError(
                    f"--quantize {item!r}: {metric!r} is not a threshold; use {', '.join(thresholds)} (cosine=0.99)."
                )
            if metric in given:
                raise UsageError(f"--quantize {item!r} sets {metric} twice; set it once.")
            given.add(metric)
            thresholds[metric] = _threshold(item, metric, value)
        variants[name] = Variant(MODES[name], Thresholds(**thresholds))
    return tuple(variants.values())


def make_variant(source: Path, target: Path, mode: Mode) -> None:
    """Write ``mode``'s variant of the fp32 file ``source`` to ``target``."""
    import onnx  # lazily: keeps `import onnxcore` light

    with quiet_tools():
        if mode.name == "fp16":
            _save(_float16(onnx.load(str(source))), target)
        elif mode.name in ("q8", "int8", "uint8"):
            _quantize_8bit(source, target, signed=mode.name != "uint8", per_channel=mode.name == "q8")
        elif mode.name == "q4":
            _save(_embeddings_8bit(_matmul_4bit(onnx.load(str(source))), target), target)
        else:  # q4f16: float16 first, so that the 4-bit blocks take float16 scales (the embeddings stay float16)
            _save(_matmul_4bit(_float16(onnx.load(str(source)))), target)


def _save(model: Any, target: Path) -> None:
    import onnx

    onnx.save(model, str(target))


def _float16(model: Any) -> Any:
    """float16 inside, float32 at the edges; the converter appends its casts, so the nodes are sorted again (a
    merged decoder's branches must be in order)."""
    from onnxruntime.transformers.float16 import convert_float_to_float16
    from onnxruntime.transformers.onnx_model import OnnxModel

    converted = OnnxModel(convert_float_to_float16(model, keep_io_types=True, disable_shape_infer=True))
    converted.topological_sort()
    return converted.model


def _quantize_8bit(
    source: Path, target: Path, signed: bool, per_channel: bool, ops: tuple[str, ...] = _INT8_OPS
) -> None:
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8 if signed else QuantType.QUInt8,
        per_channel=per_channel,
        reduce_range=signed and "MatMul" in ops,  # 7-bit where int8 meets uint8 in a product (module docstring)
        op_types_to_quantize=list(ops),
        # the optimizer's fused ops (SkipLayerNormalization, ...) have no ONNX shape inference: their outputs are float
        extra_options={"EnableSubgraph": True, "DefaultTensorType": TensorProto.FLOAT},
    )


def _matmul_4bit(model: Any) -> Any:
    """4-bit blocks for every MatMul with a constant weight (Gemm nodes become MatMul + Add first: the quantizer
    takes MatMul only, and GPT-2's projections are Gemm)."""
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    _gemm_as_matmul(model.graph)
    config = DefaultWeightOnlyQuantConfig(block_size=Q4_BLOCK_SIZE, is_symmetric=True, accuracy_level=4)
    quantizer = MatMulNBitsQuantizer(model, algo_config=config)
    quantizer.process()
    return quantizer.model.model


def _embeddings_8bit(model: Any, target: Path) -> Any:
    """The embedding tables (Gather) in int8: the 4-bit quantizer leaves them, and they are the largest tensors."""
    import onnx

    staged = target.with_name(target.name + ".4bit.onnx")
    onnx.save(model, str(staged))
    try:
        _quantize_8bit(staged, target, signed=True, per_channel=False, ops=("Gather",))
        return onnx.load(str(target))
    finally:
        staged.unlink(missing_ok=True)


def _gemm_as_matmul(graph: Any) -> None:
    """Rewrite ``Gemm(A, B, C)`` with a constant ``B``, no transposed ``A`` and unit alpha/beta as
    ``MatMul(A, B) + C`` (``B`` transposed in place where ``transB``); other Gemm nodes are left."""
    from onnx import helper, numpy_helper

    initializers = {tensor.name: tensor for tensor in graph.initializer}
    uses: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    nodes = []
    for node in graph.node:
        if node.op_type != "Gemm" or node.domain not in ("", "ai.onnx"):
            nodes.append(node)
            continue
        attributes = {attribute.name: helper.get_attribute_value(attribute) for attribute in node.attribute}
        plain = attributes.get("transA", 0) == 0 and attributes.get("alpha", 1.0) == attributes.get("beta", 1.0) == 1.0
        constant = node.input[1] in initializers and uses[node.input[1]] == 1  # transposed in place: one reader
        if not plain or not constant:
            nodes.append(node)
            continue
        weight = initializers[node.input[1]]
        if attributes.get("transB", 0):
            transposed = numpy_helper.from_array(numpy_helper.to_array(weight).T.copy(), weight.name)
            weight.CopyFrom(transposed)
        product = f"{node.output[0]}/matmul" if len(node.input) > 2 and node.input[2] else node.output[0]
        nodes.append(helper.make_node("MatMul", node.input[:2], [product], name=f"{node.name}/MatMul"))
        if product != node.output[0]:
            nodes.append(helper.make_node("Add", [product, node.input[2]], [node.output[0]], name=f"{node.name}/Add"))
    del graph.node[:]
    graph.node.extend(nodes)
