"""What an export is asked to do: the fields of ``onnxcore export``, as the Python API takes them.

It sits below loading and the pipeline, which both read it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from .generation import DEFAULT_MAX_NEW_TOKENS, DEFAULT_PROMPTS
from .runtimes import DEFAULT_RUNTIME


@dataclasses.dataclass
class ExportRequest:
    """What to export; field names follow the CLI flags."""

    model: str
    output: Path
    feature: str = "default"
    framework: str | None = None
    opset: int | None = None
    atol: float | None = None
    cache_dir: str | None = None
    preprocessor: str = "auto"
    exporter: str | None = None  # None: the framework's default (torchscript for PyTorch, tf2onnx for TF)
    device: str = "cpu"
    trust_remote_code: bool = False
    external_data: bool | None = None
    layout: str | None = None  # None: the runtime's (split for encoder-decoders that generate, outside onnxruntime)
    runtime: str = DEFAULT_RUNTIME  # the runtime the folder is for: its layout and input contract (runtimes.py)
    dtype: str = "fp32"  # the precision of a PyTorch export's weights and compute: fp32, fp16, bf16 (precision.py)
    optimize: str | None = None  # ONNX Runtime's transformer optimizer level: O1, O2 or O3 (optimization.py)
    quantize: str | None = None  # --quantize's modes and thresholds: "fp16,q8:cosine=0.99" (variants.py)
    generation_check: bool = True
    prompts: tuple[str, ...] = DEFAULT_PROMPTS
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS
    keep_failed: bool = False  # a failed validation leaves its files in OUTPUT.failed/
    allow_other_files: bool = False  # write beside files onnxcore did not write (never over them)
