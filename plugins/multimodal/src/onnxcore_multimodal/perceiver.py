"""Perceiver: one input named ``inputs``, bytes of text or the pixels of an image, by feature.

- ``masked-lm`` and ``sequence-classification`` (text): ``inputs`` (UTF-8 byte ids from ``PerceiverTokenizer``)
  and ``attention_mask``. The masked-lm decoder queries ``max_position_embeddings`` positions whatever the input's
  length, so its logits' length is static (transformers.onnx called it ``sequence``).
- ``image-classification`` (``PerceiverForImageClassificationLearned``): ``inputs`` = pixels (batch, 3,
  image_size, image_size), fixed at the config's ``image_size`` (the learned position encoding has one entry per
  pixel); no mask (transformers.onnx declared a mask the image processor does not give, and pixel axis 1, the
  channels, as ``sequence``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from onnxcore import OnnxConfig
from onnxcore.config import as_numpy, to_framework
from onnxcore.utils import compute_effective_axis_dimension

from .base import ExampleSizes, MultimodalOnnxConfig, random_pixels, random_token_rows, takes_pixels

IMAGE_TASKS = ("image-classification",)
IMAGE_CHANNELS = 3


class PerceiverOnnxConfig(MultimodalOnnxConfig):
    """Text or image ``inputs`` (and a mask for text) -> the task's logits."""

    @property
    def is_image(self) -> bool:
        return self.task in IMAGE_TASKS

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.is_image:
            return OrderedDict(inputs={0: "batch"})
        return OrderedDict(inputs={0: "batch", 1: "sequence"}, attention_mask={0: "batch", 1: "sequence"})

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        if self.task == "masked-lm":
            return OrderedDict(logits={0: "batch"})
        return super().outputs

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    def accepts_preprocessor(self, preprocessor: Any) -> bool:
        """Text features take the tokenizer, image features an image processor. Given a tokenizer, an image
        feature takes its pixels from the config: transformers builds a ``PerceiverTokenizer`` for any Perceiver
        checkpoint (it needs no files), so ``--preprocessor auto`` finds that before the image processor
        (``--preprocessor image_processor`` picks the latter)."""
        return not self.is_image or takes_pixels(preprocessor)

    def preprocessed_inputs(self, preprocessor: Any, sizes: ExampleSizes, framework: Any) -> dict[str, Any]:
        """The base's text or image inputs, with the ids or pixels under Perceiver's name ``inputs``."""
        channels, height, width = sizes.images
        inputs = dict(
            OnnxConfig.generate_dummy_inputs(
                self,
                preprocessor,
                batch_size=sizes.batch,
                seq_length=sizes.seq_length,
                is_pair=sizes.is_pair,
                framework=framework,
                num_channels=channels,
                image_height=height,
                image_width=width,
            )
        )
        inputs["inputs"] = inputs.pop("pixel_values" if self.is_image else "input_ids")
        return {name: inputs[name] for name in self.inputs}

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Random pixels of ``image_size``, or random byte ids and a full mask."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        if self.is_image:
            return {"inputs": random_pixels(batch, IMAGE_CHANNELS, self._config.image_size, framework)}
        length = compute_effective_axis_dimension(seq_length, self.default_fixed_sequence)
        ids = random_token_rows((batch, length), self._config, seed=0)
        return {"inputs": to_framework(ids, framework), "attention_mask": to_framework(np.ones_like(ids), framework)}

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """The base's (another batch and length, a padded last row); text rows get varied ordinary bytes between
        their [CLS] and [SEP], which the base draws only for inputs named ``*input_ids``."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        if not self.is_image:
            ids = as_numpy(inputs["inputs"]).copy()
            ids[:, 1:-1] = random_token_rows(ids[:, 1:-1].shape, self._config, seed=1, preprocessor=preprocessor)
            inputs["inputs"] = to_framework(ids, framework)
        return inputs
