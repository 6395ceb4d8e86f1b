"""The vision contracts: ``pixel_values`` in, the task's outputs out; the batch axis is dynamic.

Height and width are fixed at the checkpoint's ``image_size`` wherever the model or its traced graph is right
at no other size: ViT's and DeiT's position embeddings and LeViT's attention biases are sized for it; Swin's
window padding, BEiT's relative position bias (dynamo) and MobileViT's patch unfolding are traced for the
export's size; MobileNetV1's TensorFlow-style padding is worked out for it. transformers.onnx declared height
and width dynamic for all but MobileNetV1 all the same, so its graphs failed at run time on
other sizes. Convolutional networks that take any size (ConvNeXt) declare them dynamic.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np
from packaging import version

from onnxcore import OnnxConfig
from onnxcore.config import to_framework
from onnxcore.utils import compute_effective_axis_dimension


class ViTOnnxConfig(OnnxConfig):
    """``pixel_values`` (batch, channels, image_size, image_size) -> ``last_hidden_state``, ``logits`` or, for
    masked-im, the ``reconstruction`` of the image."""

    torch_onnx_minimum_version = version.parse("1.11")

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(pixel_values={0: "batch"})

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "masked-im":
            return OrderedDict(reconstruction={0: "batch"})
        return super().outputs

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Random pixels of the checkpoint's size, normalised as ViT's image processor does (mean 0, std 1)."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        size = self._config.image_size
        shape = (batch, self._config.num_channels, size, size)
        pixels = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        return {"pixel_values": to_framework(pixels, framework)}


class FeatureMapOnnxConfig(ViTOnnxConfig):
    """A backbone whose ``default`` output is a feature map (batch, channels, height, width) plus its pooled vector,
    at a fixed image size, as its traced graph is right only there: MobileViT unfolds its feature maps into
    patches for the export's size (other sizes fail), and MobileNetV1's TensorFlow-style padding is worked out
    from the export's size (other sizes would get the wrong padding and silently wrong values)."""

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "default":
            return OrderedDict(last_hidden_state={0: "batch"}, pooler_output={0: "batch"})
        return super().outputs


class ConvNetOnnxConfig(FeatureMapOnnxConfig):
    """A convolutional network: any image size, so height and width are dynamic, and so is the feature map's size
    (transformers.onnx declared ConvNeXt's channel axis dynamic too, which the weights fix)."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(pixel_values={0: "batch", 2: "height", 3: "width"})

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "default":
            feature_map = {0: "batch", 2: "feature_height", 3: "feature_width"}
            return OrderedDict(last_hidden_state=feature_map, pooler_output={0: "batch"})
        return super().outputs


class ConvNextOnnxConfig(ConvNetOnnxConfig):
    """ConvNeXt keeps transformers.onnx's tighter tolerance."""

    @property
    def atol_for_validation(self) -> float:
        return 1e-5
