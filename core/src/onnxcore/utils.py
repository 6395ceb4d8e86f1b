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


# What transformers raises for a checkpoint without those files; T5's fast tokenizer, for one, fails with an
# AttributeError while converting the missing slow vocabulary.
_NOT_LOADABLE = (OSError, KeyError, ValueError, TypeError, AttributeError)


def get_preprocessor(model_name: str) -> Any | None:
    """Load the preprocessor of a checkpoint: a processor, else a tokenizer or a feature extractor.

    Raises ValueError when a tokenizer and a feature extractor both load but no processor ties them.
    transformers 5 builds an empty tokenizer for a checkpoint that has no tokenizer files; that counts as none.
    """
    from transformers import AutoFeatureExtractor, AutoProcessor, AutoTokenizer  # lazily: keeps `import onnxcore` light

    try:
        return _with_vocabulary(AutoProcessor.from_pretrained(model_name))
    except _NOT_LOADABLE:
        tokenizer, feature_extractor = None, None
        try:
            tokenizer = _with_vocabulary(_auto_tokenizer(AutoTokenizer, model_name))
        except _NOT_LOADABLE:
            pass
        try:
            feature_extractor = AutoFeatureExtractor.from_pretrained(model_name)
        except _NOT_LOADABLE:
            pass
        if tokenizer is not None and feature_extractor is not None:
            raise ValueError(
                f"Couldn't auto-detect preprocessor for {model_name}. Found both a tokenizer and a feature extractor."
            ) from None
        return tokenizer if tokenizer is not None else feature_extractor


def _auto_tokenizer(auto_tokenizer: Any, model_name: str) -> Any:
    """``AutoTokenizer``'s tokenizer, or the slow class when the fast one cannot be built from the files the slow
    class saved (transformers 4's ``BlenderbotSmallTokenizerFast`` reads subword-nmt merges as byte-level BPE and
    raises a bare ``Exception``); a slow class that fails too raises its own error."""
    try:
        return auto_tokenizer.from_pretrained(model_name)
    except _NOT_LOADABLE:
        raise
    except Exception:  # tokenizers' errors are bare Exceptions
        return auto_tokenizer.from_pretrained(model_name, use_fast=False)


def _with_vocabulary(preprocessor: Any) -> Any | None:
    """``preprocessor``, unless it is a tokenizer that knows nothing but its special tokens."""
    from transformers import PreTrainedTokenizerBase  # lazily: keeps `import onnxcore` light

    if isinstance(preprocessor, PreTrainedTokenizerBase) and len(preprocessor) <= len(preprocessor.all_special_ids):
        return None
    return preprocessor


def processor_parts(preprocessor: Any) -> tuple[Any, Any]:
    """(feature extractor, tokenizer) of a processor such as ``WhisperProcessor``, or whichever of the two
    ``preprocessor`` is itself; None for a part it lacks."""
    from transformers import FeatureExtractionMixin, PreTrainedTokenizerBase  # lazily: keeps `import onnxcore` light

    feature_extractor = getattr(preprocessor, "feature_extractor", None)
    tokenizer = getattr(preprocessor, "tokenizer", None)
    if isinstance(preprocessor, FeatureExtractionMixin):
        feature_extractor = preprocessor
    if isinstance(preprocessor, PreTrainedTokenizerBase):
        tokenizer = preprocessor
    return feature_extractor, tokenizer
