"""``python -m onnxcore``."""

from .cli import run

raise SystemExit(run())
