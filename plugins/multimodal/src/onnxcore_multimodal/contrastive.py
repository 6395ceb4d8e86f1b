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

from onnxcore import OnnxConfig
from onnxcore.config import as_numpy, to_framework
from onnxcore.utils import compute_effective_axis_dimension


def random_pixels(batch: int, channels: int, size: int, framework: Any) -> Any:
    """Normalised random pixels (mean 0, std 1, as the image processors give), fixed seed."""
    pixels = np.random.default_rng(0).standard_normal((batch, channels, size, size)).astype(np.float32)
    return to_framework(pixels, framework)


def random_token_rows(shape: tuple[int, ...], vocab_size: int, seed: int) -> np.ndarray:
    """Token ids drawn from the vocabulary, fixed seed."""
    return np.random.default_rng(seed).integers(0, vocab_size, size=shape, dtype=np.int64)


class TextImageOnnxConfig(OnnxConfig):
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

    @property
    def text_vocab_size(self) -> int:
        return int(self._config.text_config.vocab_size)

    def generate_dummy_inputs(  # type: ignore[override]
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        num_choices: int = -1,
        is_pair: bool = False,
        framework: Any = None,
        num_channels: int = 3,
        image_width: int = 40,
        image_height: int = 40,
        **kwargs: Any,
    ) -> Mapping[str, Any]:
        """Texts through the processor's tokenizer and images through its image processor (transformers.onnx's
        way); without a processor, both from the config."""
        if preprocessor is None:
            return self.generate_dummy_inputs_from_config(batch_size, seq_length, framework=framework)
        tokenizer = getattr(preprocessor, "tokenizer", preprocessor)
        image_processor = getattr(preprocessor, "image_processor", preprocessor)
        text = super().generate_dummy_inputs(tokenizer, batch_size=batch_size, seq_length=seq_length, framework=framework)
        images = super().generate_dummy_inputs(
            image_processor,
            batch_size=batch_size,
            framework=framework,
            num_channels=num_channels,
            image_width=image_width,
            image_height=image_height,
        )
        return {**text, "pixel_values": images["pixel_values"]}

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Random token ids of the text vocabulary and random pixels of the vision config's size."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        length = compute_effective_axis_dimension(seq_length, self.default_fixed_sequence)
        vision = self._config.vision_config
        ids = random_token_rows((batch, length), self.text_vocab_size, seed=0)
        return {
            "input_ids": to_framework(ids, framework),
            "pixel_values": random_pixels(batch, vision.num_channels, vision.image_size, framework),
            "attention_mask": to_framework(np.ones_like(ids), framework),
        }

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """The base's (another batch and length, a padded last row) with varied tokens of the text vocabulary,
        which the base cannot draw: the vocabulary size is in ``text_config``. The last token stays the tokenizer's
        (``<|endoftext|>``), where the text pooling reads."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        ids = as_numpy(inputs["input_ids"]).copy()
        ids[:, 1:-1] = random_token_rows(ids[:, 1:-1].shape, self.text_vocab_size, seed=1)
        inputs["input_ids"] = to_framework(ids, framework)
        return inputs
