"""Registers the T5 and BART-shaped encoder-decoders with onnxcore. Imports nothing heavy: only onnxcore's config
classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .bart import BartDecoderOnnxConfig, BartOnnxConfig, BigBirdPegasusOnnxConfig, MarianOnnxConfig
from .config import MT5OnnxConfig, T5OnnxConfig
from .longt5 import LongT5OnnxConfig

FEATURES = ("default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past")
CAUSAL_LM = ("causal-lm", "causal-lm-with-past")
HEADS = ("sequence-classification", "question-answering")


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """The T5 family and M2M-100 export the four features transformers.onnx listed for them; the other
    BART-shaped models also their decoder alone (``causal-lm``), and BART, mBART and BigBird-Pegasus their
    classification and QA heads."""
    register("t5", T5OnnxConfig, FEATURES)
    register("mt5", MT5OnnxConfig, FEATURES)
    register("longt5", LongT5OnnxConfig, FEATURES)
    register("m2m-100", BartOnnxConfig, FEATURES)
    for model_type, config_cls, heads in (
        ("bart", BartOnnxConfig, HEADS),
        ("mbart", BartOnnxConfig, HEADS),
        ("marian", MarianOnnxConfig, ()),
        ("blenderbot", BartOnnxConfig, ()),
        ("blenderbot-small", BartOnnxConfig, ()),
        ("bigbird-pegasus", BigBirdPegasusOnnxConfig, HEADS),
    ):
        register(model_type, config_cls, FEATURES + heads)
        register(model_type, BartDecoderOnnxConfig, CAUSAL_LM)
