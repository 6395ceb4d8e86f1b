"""``--dtype``: the precision of a PyTorch export's weights and compute (fp32, fp16, bf16).

A half-precision graph is the model at that precision, traced: the model is loaded at the dtype, the dummy and
validation inputs are cast to it, and the export is validated against the model at that dtype. Its outputs
round at every op, so validation allows :data:`DTYPE_ATOL` (a comparison of two fp16 computations that
accumulate differently) unless the user sets ``--atol``. Where ONNX Runtime's CPU provider has no kernel for an
op at the dtype (bf16 nearly everywhere), the file is reported as not run, never as passed.
"""

from __future__ import annotations

from .errors import UsageError

#: the --dtype names (transformers.js's spelling) and torch's names for them
DTYPES = {"fp32": "float32", "fp16": "float16", "bf16": "bfloat16"}
DEFAULT_DTYPE = "fp32"
#: the default validation tolerance at a half-precision dtype, relative to an output's scale: ONNX Runtime's fp16
#: against PyTorch's was at most 1.8e-3 x the scale on bert-base and gpt2 shapes and 1.2e-3 on the tiny examples
#: but Whisper's, which the model's own rounding covers (see ``validate.compare_outputs``); bf16 rounds 8x coarser
DTYPE_ATOL = {"fp16": 2e-2, "bf16": 1e-1}
#: ONNX takes bfloat16 in Conv from opset 22 (in Where from 16, in Pow from 15): a bf16 graph below it is invalid
BF16_MIN_OPSET = 22
#: the exporter of bf16 graphs: TorchScript writes opset 20 at most, and casts some bf16 attention masks to
#: complex128 (GPT-2, T5: an invalid graph)
BF16_EXPORTER = "dynamo"


def check_dtype(dtype: str, framework: str, quantize: str | None, optimize: str | None, runtime: str) -> None:
    """Refuse a --dtype that does not apply: an unknown name, TensorFlow (tf2onnx converts fp32 graphs),
    --quantize (its tools take the fp32 graph), --optimize of bf16 (ONNX Runtime's optimizer runs the graph on its
    CPU provider, which has almost no bf16 kernels), and transformers.js (it loads a half-precision graph by another
    file name, and feeds it by its own dtype setting)."""
    if dtype not in DTYPES:
        raise UsageError(f"unknown --dtype {dtype!r}; choose from {', '.join(DTYPES)}.")
    if dtype == DEFAULT_DTYPE:
        return
    if framework != "pt":
        raise UsageError(
            f"--dtype {dtype} applies to PyTorch exports; TensorFlow exports are fp32 (drop --dtype, or add"
            " --quantize fp16 for an fp16 variant)."
        )
    if quantize:
        raise UsageError(
            f"--quantize makes its variants from the fp32 graph, so it cannot follow --dtype {dtype}; drop --dtype"
            " (--quantize fp16 writes model_fp16.onnx beside the fp32 file)."
        )
    if optimize and dtype == "bf16":
        raise UsageError(
            f"--optimize runs the graph in ONNX Runtime's CPU provider, which has almost no bfloat16 kernels; drop"
            f" --optimize {optimize}, or export with --dtype fp16."
        )
    if runtime == "transformers.js":
        raise UsageError(
            f"transformers.js loads a half-precision graph as model_fp16.onnx, beside the fp32 one, and picks it"
            f" with its dtype option; drop --dtype {dtype} and add --quantize fp16."
        )


def dtype_opset(dtype: str, opset: int, requested: bool) -> int:
    """The opset a ``dtype`` export is written at: bf16 needs :data:`BF16_MIN_OPSET`, which the default is raised
    to and a requested opset must reach."""
    if dtype != "bf16" or opset >= BF16_MIN_OPSET:
        return opset
    if requested:
        raise UsageError(
            f"--dtype bf16 needs --opset {BF16_MIN_OPSET} or later (ONNX takes bfloat16 in Conv from it);"
            f" pass --opset {BF16_MIN_OPSET} or drop --opset."
        )
    return BF16_MIN_OPSET


def dtype_exporter(dtype: str, requested: str | None) -> str | None:
    """The exporter of a ``dtype`` export: bf16 takes :data:`BF16_EXPORTER` (by default, and refuses another);
    the others take the requested one (None: the framework's default)."""
    if dtype != "bf16":
        return requested
    if requested not in (None, BF16_EXPORTER):
        raise UsageError(
            f"--dtype bf16 needs --exporter {BF16_EXPORTER}: the {requested} exporter writes invalid bfloat16"
            f" graphs (TorchScript writes opset 20 at most, and casts some bfloat16 masks to complex128); drop"
            f" --exporter {requested}."
        )
    return BF16_EXPORTER


def dtype_flag(torch_name: str | None) -> str:
    """The --dtype that wrote an export whose manifest records ``torch_name`` (``"float16"`` -> ``"fp16"``)."""
    return next((flag for flag, name in DTYPES.items() if name == torch_name), DEFAULT_DTYPE)
