"""Registers the BERT-shaped encoders with onnxcore. Imports nothing heavy: only onnxcore's config classes.

Each model type gets at least the features transformers.onnx 4.57 listed for it (``onnx/features.py``).
"""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import BertOnnxConfig, BertWithoutTokenTypesOnnxConfig, DebertaOnnxConfig
from .layoutlm import LayoutLMOnnxConfig
from .longformer import LongformerOnnxConfig
from .rembert import RemBertOnnxConfig

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
#: transformers.onnx's LayoutLM features: no causal LM, no multiple choice (LayoutLM has no such head).
LAYOUTLM_FEATURES = ("default", "masked-lm", "sequence-classification", "token-classification")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """Each model type with the features transformers.onnx listed for it, in alphabetical order."""
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
    register("flaubert", BertWithoutTokenTypesOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    # AutoModelForCausalLM does not map FlaubertConfig (transformers.onnx's flaubert causal-lm failed on loading);
    # its LM head class is XLM's, which AutoModelForCausalLM loads for xlm (docs/compatibility.md)
    register(
        "flaubert",
        BertWithoutTokenTypesOnnxConfig,
        ["causal-lm"],
        model_class="FlaubertWithLMHeadModel",
        tf_model_class="TFFlaubertWithLMHeadModel",
    )
    register("ibert", BertWithoutTokenTypesOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("layoutlm", LayoutLMOnnxConfig, LAYOUTLM_FEATURES)
    register("longformer", LongformerOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("mobilebert", BertOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("rembert", RemBertOnnxConfig, FEATURES)
    register("roberta", BertWithoutTokenTypesOnnxConfig, FEATURES)
    register("roformer", BertOnnxConfig, FEATURES)
    register("squeezebert", BertOnnxConfig, FEATURES_WITHOUT_CAUSAL_LM)
    register("xlm", BertOnnxConfig, FEATURES)
    register("xlm-roberta", BertWithoutTokenTypesOnnxConfig, FEATURES)
