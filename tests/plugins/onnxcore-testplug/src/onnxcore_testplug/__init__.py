"""A third-party plugin, public API only: MPNet (no token_type_ids), which no first-party plugin covers."""

from collections import OrderedDict

import onnxcore


class MPNetOnnxConfig(onnxcore.OnnxConfig):
    @property
    def inputs(self):
        return OrderedDict((name, {0: "batch", 1: "sequence"}) for name in ("input_ids", "attention_mask"))

    @property
    def default_onnx_opset(self):
        return 12  # MPNet's relative position buckets take Min of int64 tensors, which opset 11 lacks


@onnxcore.hookimpl
def register_onnx_configs(register):
    register("mpnet", MPNetOnnxConfig, ["default", "text-classification"])
