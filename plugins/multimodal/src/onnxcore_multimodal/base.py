"""What the multimodal configs share: one ``generate_dummy_inputs`` entry for processors, tokenizers and image
processors alike (transformers.onnx's signatures for these models, merged), and seeded random example values."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np

from onnxcore import OnnxConfig
from onnxcore.config import ordinary_token_ids, to_framework
from onnxcore.utils import compute_effective_axis_dimension


def random_pixels(batch: int, channels: int, size: int, framework: Any) -> Any:
    """Normalised random pixels (mean 0, std 1, as the image processors give), fixed seed."""
    pixels = np.random.default_rng(0).standard_normal((batch, channels, size, size)).astype(np.float32)
    return to_framework(pixels, framework)


def random_token_rows(shape: tuple[int, ...], text_config: Any, seed: int, preprocessor: Any = None) -> np.ndarray:
    """Ordinary token ids (no special token of ``text_config`` or the tokenizer) of ``text_config``'s vocabulary,
    fixed seed."""
    ordinary = ordinary_token_ids(text_config, int(text_config.vocab_size), preprocessor)
    return np.random.default_rng(seed).choice(ordinary, size=shape).astype(np.int64)


def takes_pixels(preprocessor: Any) -> bool:
    """Whether ``preprocessor`` makes ``pixel_values`` (an image processor), by its declared input names."""
    return list(getattr(preprocessor, "model_input_names", []))[:1] == ["pixel_values"]


@dataclasses.dataclass(frozen=True)
class ExampleSizes:
    """The example's rows, token count (-1: the config's default), text pairs or not, and the (channels,
    height, width) of the raw images drawn for an image processor."""

    batch: int
    seq_length: int
    is_pair: bool
    images: tuple[int, int, int]


class MultimodalOnnxConfig(OnnxConfig):
    """A config whose example inputs come from a processor (several modalities) or from the model config."""

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
        """Inputs through ``preprocessor`` (raw images of ``num_channels`` x ``image_height`` x ``image_width``
        are drawn for it), or from the config when there is none or it cannot make this task's inputs."""
        if preprocessor is None or not self.accepts_preprocessor(preprocessor):
            return self.generate_dummy_inputs_from_config(batch_size, seq_length, framework=framework)
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        sizes = ExampleSizes(batch, seq_length, is_pair, (num_channels, image_height, image_width))
        return self.preprocessed_inputs(preprocessor, sizes, framework)

    def accepts_preprocessor(self, preprocessor: Any) -> bool:
        """Whether ``preprocessor`` can make this task's inputs; by default any can."""
        return True

    def preprocessed_inputs(self, preprocessor: Any, sizes: ExampleSizes, framework: Any) -> dict[str, Any]:
        """Inputs of ``sizes`` through ``preprocessor``."""
        raise NotImplementedError

    def text_inputs(self, tokenizer: Any, sizes: ExampleSizes, framework: Any) -> Mapping[str, Any]:
        """``input_ids`` and ``attention_mask`` of ``sizes`` through ``tokenizer`` (core's text path)."""
        return OnnxConfig.generate_dummy_inputs(
            self, tokenizer, batch_size=sizes.batch, seq_length=sizes.seq_length, framework=framework
        )

    def image_inputs(self, image_processor: Any, sizes: ExampleSizes, framework: Any) -> Any:
        """``pixel_values`` of raw images of ``sizes.images`` through ``image_processor`` (core's image path)."""
        channels, height, width = sizes.images
        pixels = OnnxConfig.generate_dummy_inputs(
            self,
            image_processor,
            batch_size=sizes.batch,
            framework=framework,
            num_channels=channels,
            image_height=height,
            image_width=width,
        )
        return pixels["pixel_values"]
