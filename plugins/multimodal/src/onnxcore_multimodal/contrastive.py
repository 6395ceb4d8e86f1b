"""CLIP-style text-image models (CLIP, GroupViT, OWL-ViT): token ids and pixels in, both similarity matrices and
both embeddings out.

One contract serves the three model types: ``input_ids``, ``pixel_values``, ``attention_mask`` ->
``logits_per_image``, ``logits_per_text``, ``text_embeds``, ``image_embeds``. Images are fixed at the vision
config's ``image_size`` (the position embeddings are sized for it; transformers.onnx declared channels, height and
width dynamic all the same). The similarity matrices are (images, texts) and (texts, images): both axes are batches.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from onnxcore.config import as_numpy, to_framework
from onnxcore.utils import compute_effective_axis_dimension

from .base import ExampleSizes, MultimodalOnnxConfig, random_pixels, random_token_rows


class TextImageOnnxConfig(MultimodalOnnxConfig):
    """A dual encoder (CLIP, GroupViT, OWL-ViT): one graph embeds texts and images and scores every pair."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            input_ids={0: "batch", 1: "sequence"},
            pixel_values={0: "batch"},
            attention_mask={0: "batch", 1: "sequence"},
        )

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            logits_per_image={0: "batch", 1: "batch"},
            logits_per_text={0: "batch", 1: "batch"},
            text_embeds={0: "batch"},
            image_embeds={0: "batch"},
        )

    @property
    def default_onnx_opset(self) -> int:
        return 14

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    def preprocessed_inputs(self, preprocessor: Any, sizes: ExampleSizes, framework: Any) -> dict[str, Any]:
        """Texts through the processor's tokenizer and images through its image processor (transformers.onnx's
        way)."""
        tokenizer = getattr(preprocessor, "tokenizer", preprocessor)
        image_processor = getattr(preprocessor, "image_processor", preprocessor)
        text = self.text_inputs(tokenizer, sizes, framework)
        return {**text, "pixel_values": self.image_inputs(image_processor, sizes, framework)}

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Random token ids of the text vocabulary and random pixels of the vision config's size."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        length = compute_effective_axis_dimension(seq_length, self.default_fixed_sequence)
        vision = self._config.vision_config
        text = self._config.text_config
        ids = random_token_rows((batch, length), text, seed=0)
        ids[:, -1] = text.eos_token_id  # where the text tower pools
        return {
            "input_ids": to_framework(ids, framework),
            "pixel_values": random_pixels(batch, vision.num_channels, vision.image_size, framework),
            "attention_mask": to_framework(np.ones_like(ids), framework),
        }

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """The base's (another batch and length, a padded last row) with varied ordinary tokens of the text
        vocabulary, which the base cannot draw: the vocabulary is ``text_config``'s. The last token stays the
        tokenizer's (``<|endoftext|>``), where the text tower pools."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        ids = as_numpy(inputs["input_ids"]).copy()
        ids[:, 1:-1] = random_token_rows(
            ids[:, 1:-1].shape, self._config.text_config, seed=1, preprocessor=preprocessor
        )
        inputs["input_ids"] = to_framework(ids, framework)
        return inputs
