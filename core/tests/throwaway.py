"""Throwaway plugins for core's tests (imported by conftest and the tests; pytest puts this folder on sys.path)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from onnxcore import OnnxConfig, hookimpl


class TinyTextOnnxConfig(OnnxConfig):
    """A throwaway BERT-shaped config, so core tests need no plugin distribution."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            (name, {0: "batch", 1: "sequence"}) for name in ("input_ids", "attention_mask", "token_type_ids")
        )


class TextPlugin:
    """Registers TinyTextOnnxConfig for model type bert."""

    __name__ = "test-text-plugin"

    @hookimpl
    def register_onnx_configs(self, register):
        register("bert", TinyTextOnnxConfig, ["default", "sequence-classification", "fill-mask"])
