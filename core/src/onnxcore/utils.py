"""Small helpers kept from ``transformers.onnx.utils`` (same names, same behaviour)."""

from __future__ import annotations

from ctypes import c_float, sizeof
from enum import Enum
from typing import Any


class ParameterFormat(Enum):
    """Storage format of the exported parameters."""

    Float = c_float

    @property
    def size(self) -> int:
        """Bytes taken by one parameter of this format."""
        return sizeof(self.value)


def compute_effective_axis_dimension(dimension: int, fixed_dimension: int, num_token_to_add: int = 0) -> int:
    """Use ``fixed_dimension`` for a dynamic axis (``dimension <= 0``), minus the special tokens to add."""
    if dimension <= 0:
        dimension = fixed_dimension
    return dimension - num_token_to_add


def compute_serialized_parameters_size(num_parameters: int, dtype: ParameterFormat) -> int:
    """Bytes that ``num_parameters`` parameters of ``dtype`` take once serialized."""
    return num_parameters * dtype.size


def get_preprocessor(model_name: str) -> Any | None:
    """Load the preprocessor of a checkpoint: a processor, else a tokenizer or a feature extractor.

    Raises ValueError when a tokenizer and a feature extractor both load but no processor ties them.
    """
    from transformers import AutoFeatureExtractor, AutoProcessor, AutoTokenizer

    try:
        return AutoProcessor.from_pretrained(model_name)
    except (ValueError, OSError, KeyError, TypeError):
        tokenizer, feature_extractor = None, None
        try:
            tokenizer = AutoTokenizer.from_pretrained(model_name)
        except (OSError, KeyError, ValueError, TypeError):
            pass
        try:
            feature_extractor = AutoFeatureExtractor.from_pretrained(model_name)
        except (OSError, KeyError, ValueError, TypeError):
            pass
        if tokenizer is not None and feature_extractor is not None:
            raise ValueError(
                f"Couldn't auto-detect preprocessor for {model_name}. Found both a tokenizer and a feature extractor."
            ) from None
        return tokenizer if tokenizer is not None else feature_extractor
