"""The one way onnxcore writes JSON (``onnxcore.json``, ``--json``): strict JSON, which any reader parses.

Python's ``json`` writes ``NaN`` and ``Infinity`` by default, which JSON does not have (``jq``, JavaScript and
most parsers refuse them). A number that can be non-finite in a report (a max diff of outputs that differ in
shape or in their NaNs, an infinite tolerance given through the Python API) is written as ``null`` instead.
"""

from __future__ import annotations

import json
import math
from typing import Any


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float inside dicts, lists and tuples replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def dumps(value: Any, indent: int | None = 2) -> str:
    """``value`` as strict JSON; ``allow_nan=False`` makes a non-finite number that slipped through an error
    here rather than invalid JSON for the reader."""
    return json.dumps(finite(value), indent=indent, allow_nan=False)
