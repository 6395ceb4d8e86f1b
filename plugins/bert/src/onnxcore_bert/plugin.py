"""Registers the BERT-shaped encoders with onnxcore. Imports nothing heavy: only onnxcore's config classes.

Each model type gets at least the features transformers.onnx 4.57 listed for it (``onnx/features.py``).
"""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import BertOnnxConfig, BertWithoutTokenTypesOnnxConfig, DebertaOnnxConfig

#: BERT's seven features; most of the family lists the same.
FEATURES = (
    "default",
    "masked-lm",
    "causal-lm",
    "sequence-classification",
    "multiple-choice",
    "token-classification",
    "question-answering",
)
#: Types transformers.onnx listed without ``causal-lm``.
FEATURES_WITHOUT_CAUSAL_LM = tuple(feature for feature in FEATURES if feature != "causal-lm")
#: DeBERTa (v1) had no ``multiple-choice`` in transformers.onnx either.
DEBERTA_FEATURES = tuple(feature for feature in FEATURES_WITHOUT_CAUSAL_LM if feature != "multiple-choice")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """One call per model type, in alphabetical order."""
    register("albert", BertOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("bert", BertOnnxConfig, FEATURES)
    register("big-bird", BertWithoutTokenTypesOnnxConfig, FEATURES)
    register("camembert", BertWithoutTokenTypesOnnxConfig, FEATURES)
    register("convbert", BertOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("data2vec-text", BertWithoutTokenTypesOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("deberta", DebertaOnnxConfig, DEBERTA_FEATURES)
    register("deberta-v2", DebertaOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("distilbert", BertWithoutTokenTypesOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("electra", BertOnnxConfig, FEATURES)
    # transformers.onnx listed causal-lm too, but neither transformers 4.57 nor 5.x maps FlaubertConfig in
    # AutoModelForCausalLM, so that export always failed on loading (see NOTES-issue19.md)
    register("flaubert", BertWithoutTokenTypesOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
