"""A third-party plugin, public API only: DistilBERT (no token_type_ids)."""

from collections import OrderedDict

import onnxcore


class DistilBertOnnxConfig(onnxcore.OnnxConfig):
    @property
    def inputs(self):
        return OrderedDict((name, {0: "batch", 1: "sequence"}) for name in ("input_ids", "attention_mask"))


@onnxcore.hookimpl
def register_onnx_configs(register):
    register("distilbert", DistilBertOnnxConfig, ["default", "text-classification"])
