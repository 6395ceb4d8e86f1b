"""The vision contracts: ``pixel_values`` in, the task's outputs out; the batch axis is dynamic.

Height and width are fixed at the checkpoint's ``image_size`` wherever the model or its traced graph is right
at no other size: ViT's and DeiT's position embeddings and LeViT's attention biases are sized for it; Swin's
window padding, BEiT's relative position bias (dynamo) and MobileViT's patch unfolding are traced for the
export's size; MobileNet's TensorFlow-style padding is worked out for it. transformers.onnx declared height and
width dynamic for most of them all the same, so its graphs failed at run time on other sizes. Models that take
any size (convolutional backbones, interpolated position embeddings) declare them dynamic, and validation runs
them at another size.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np
from packaging import version

from onnxcore import OnnxConfig, OptimizerSpec, PatchingSpec
from onnxcore.config import to_framework
from onnxcore.utils import compute_effective_axis_dimension

from .ops import adaptive_avg_pool2d, symbolic_int


class ViTOnnxConfig(OnnxConfig):
    """``pixel_values`` (batch, channels, image_size, image_size) -> ``last_hidden_state``, ``logits`` or, for
    masked-im, the ``reconstruction`` of the image."""

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """ONNX Runtime's ViT fusions (LayerNormalization, SkipLayerNormalization, BiasGelu)."""
        return OptimizerSpec("vit", self._config.num_attention_heads, self._config.hidden_size)

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


#: A feature map's axes: (batch, channels, height, width), channels fixed by the model.
FEATURE_MAP = {0: "batch", 2: "feature_height", 3: "feature_width"}


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


class AnySizeImageOnnxConfig(OnnxConfig):
    """``pixel_values`` of any height and width, for models with no embedding sized to ``image_size``
    (convolutional backbones, overlapping patch embeddings, position embeddings interpolated to the input).

    Outputs of each task are declared per model type in ``_tasks_to_common_outputs``: the spatial axes of feature
    maps are dynamic, a fixed number of channels, labels or detection queries is not.
    """

    torch_onnx_minimum_version = version.parse("1.11")
    #: Image side for inputs made from the model config, when it has no ``image_size``.
    default_image_size = 64

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(pixel_values={0: "batch", 2: "height", 3: "width"})

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    def image_size(self) -> tuple[int, int]:
        """(height, width) of inputs made from the config: its ``image_size`` (int or pair), else the default."""
        size = getattr(self._config, "image_size", None) or self.default_image_size
        height, width = (size, size) if isinstance(size, int) else size
        return int(height), int(width)

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Normalised random pixels (mean 0, std 1, as image processors make them); ``pixel_mask`` all ones."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        height, width = self.image_size()
        rng = np.random.default_rng(0)
        arrays = {
            "pixel_values": rng.standard_normal((batch, self._config.num_channels, height, width)).astype(np.float32),
            "pixel_mask": np.ones((batch, height, width), dtype=np.int64),
        }
        return {name: to_framework(arrays[name], framework) for name in self.inputs}


class ConvBackboneOnnxConfig(AnySizeImageOnnxConfig):
    """A backbone returning a feature map (ResNet, PoolFormer, SegFormer): the map, class logits, or per-pixel
    logits for semantic segmentation (transformers.onnx named axis 1, the fixed channels or labels, dynamic)."""

    _tasks_to_common_outputs = {
        **OnnxConfig._tasks_to_common_outputs,
        "default": OrderedDict(last_hidden_state=FEATURE_MAP),
        "semantic-segmentation": OrderedDict(logits=FEATURE_MAP),
    }


class ConvNextOnnxConfig(ConvBackboneOnnxConfig):
    """ConvNeXt: the feature map and its pooled vector (transformers.onnx declared the channel axis of both
    ``pixel_values`` and the map dynamic, which the weights fix), at transformers.onnx's tighter tolerance."""

    _tasks_to_common_outputs = {
        **ConvBackboneOnnxConfig._tasks_to_common_outputs,
        "default": OrderedDict(last_hidden_state=FEATURE_MAP, pooler_output={0: "batch"}),
    }

    @property
    def atol_for_validation(self) -> float:
        return 1e-5


class ResNetOnnxConfig(ConvBackboneOnnxConfig):
    """ResNet: transformers.onnx's tolerance (batch norm in float32)."""

    @property
    def atol_for_validation(self) -> float:
        return 1e-3


class PoolFormerOnnxConfig(ConvBackboneOnnxConfig):
    """PoolFormer: transformers.onnx's tolerance."""

    @property
    def atol_for_validation(self) -> float:
        return 2e-3


class SegformerOnnxConfig(ConvBackboneOnnxConfig):
    """SegFormer: transformers.onnx's opset 12."""

    @property
    def default_onnx_opset(self) -> int:
        return 12


class MobileNetV2OnnxConfig(ConvBackboneOnnxConfig):
    """MobileNetV2's base model also returns the pooled features, as transformers.onnx declared.

    With ``tf_padding`` (the default, and the released checkpoints) each convolution pads by an amount computed
    in Python from the input size, which the exporters bake into the graph: the image size is fixed then.
    """

    _tasks_to_common_outputs = {
        **ConvBackboneOnnxConfig._tasks_to_common_outputs,
        "default": OrderedDict(last_hidden_state=FEATURE_MAP, pooler_output={0: "batch"}),
    }

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(pixel_values={0: "batch"}) if self._config.tf_padding else super().inputs

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if not self._config.tf_padding:
            return super().outputs
        return OrderedDict((name, {0: "batch"}) for name in super().outputs)


class Data2VecVisionOnnxConfig(AnySizeImageOnnxConfig):
    """data2vec-vision (BEiT's architecture): relative position biases are interpolated to the input, so patch
    tokens follow the image size. Semantic segmentation is the exception: its UPerNet head reshapes the tokens
    to a square of ``image_size / patch_size``, so only ``image_size`` works there, and its pyramid pooling is
    patched for the TorchScript exporter (see :func:`onnxcore_vit.ops.adaptive_avg_pool2d`). ``torch_int`` is
    patched for the dynamo exporter (see :func:`onnxcore_vit.ops.symbolic_int`)."""

    _tasks_to_common_outputs = {
        **OnnxConfig._tasks_to_common_outputs,
        "semantic-segmentation": OrderedDict(logits={0: "batch"}),
    }

    def __init__(self, config: Any, task: str = "default", patching_specs: list[PatchingSpec] | None = None) -> None:
        # lazily: only exporting needs torch and the modeling code
        import torch.nn.functional
        from transformers.models.data2vec import modeling_data2vec_vision

        patches = [PatchingSpec(modeling_data2vec_vision, "torch_int", symbolic_int)]
        if task == "semantic-segmentation":
            patches.append(PatchingSpec(torch.nn.functional, "adaptive_avg_pool2d", adaptive_avg_pool2d))
        super().__init__(config, task=task, patching_specs=[*(patching_specs or []), *patches])

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "semantic-segmentation":
            return OrderedDict(pixel_values={0: "batch"})
        return super().inputs


class YolosOnnxConfig(AnySizeImageOnnxConfig):
    """YOLOS: patch and detection tokens (position embeddings interpolated to the image); detection returns one
    box per detection token, a fixed number."""

    _tasks_to_common_outputs = {
        **OnnxConfig._tasks_to_common_outputs,
        "object-detection": OrderedDict(logits={0: "batch"}, pred_boxes={0: "batch"}),
    }

    @property
    def default_onnx_opset(self) -> int:
        return 12


class DetrOnnxConfig(AnySizeImageOnnxConfig):
    """DETR: ``pixel_values`` and the ``pixel_mask`` of padding its image processor returns; the decoder answers
    ``num_queries`` queries, a fixed number, and segmentation adds one mask per query at a quarter of the image."""

    _tasks_to_common_outputs = {
        **OnnxConfig._tasks_to_common_outputs,
        "default": OrderedDict(last_hidden_state={0: "batch"}),
        "object-detection": OrderedDict(logits={0: "batch"}, pred_boxes={0: "batch"}),
        "image-segmentation": OrderedDict(logits={0: "batch"}, pred_boxes={0: "batch"}, pred_masks=FEATURE_MAP),
    }

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            pixel_values={0: "batch", 2: "height", 3: "width"}, pixel_mask={0: "batch", 1: "height", 2: "width"}
        )

    @property
    def atol_for_validation(self) -> float:
        return 1e-5

    @property
    def default_onnx_opset(self) -> int:
        return 12
