"""VisionEncoderDecoder (an image encoder such as ViT with a text decoder such as GPT-2 or BERT): image in, the
caption's logits out.

transformers.onnx wrote two files for ``vision2seq-lm``; ``--layout split`` writes them with core's split layout:
``encoder_model.onnx`` (``pixel_values`` -> ``last_hidden_state``) and ``decoder_model.onnx`` (``input_ids``,
``encoder_hidden_states`` -> ``logits``). The single layout is one graph of ``pixel_values``, ``decoder_input_ids``
and ``decoder_attention_mask``. Images are fixed at the encoder's ``image_size`` (its position embeddings are
sized for it; transformers.onnx declared channels, height and width dynamic).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from onnxcore import OnnxSeq2SeqConfigWithPast
from onnxcore.config import as_numpy, to_framework
from onnxcore.utils import compute_effective_axis_dimension

from .base import ExampleSizes, MultimodalOnnxConfig, random_pixels, random_token_rows, takes_pixels

DECODER_TEXT = {0: "batch", 1: "decoder_sequence"}


class VisionEncoderDecoderOnnxConfig(MultimodalOnnxConfig, OnnxSeq2SeqConfigWithPast):
    """``pixel_values`` (batch, channels, image_size, image_size) and the decoder's tokens -> ``logits``."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            pixel_values={0: "batch"}, decoder_input_ids=dict(DECODER_TEXT), decoder_attention_mask=dict(DECODER_TEXT)
        )

    @property
    def atol_for_validation(self) -> float:
        return 1e-4

    @property
    def num_layers(self) -> tuple[int, int]:  # type: ignore[override]
        """(encoder layers, decoder layers): the sub-configs'."""
        return (self._config.encoder.num_hidden_layers, self._config.decoder.num_hidden_layers)

    @property
    def num_attention_heads(self) -> tuple[int, int]:  # type: ignore[override]
        """(encoder heads, decoder heads): the sub-configs'."""
        return (self._config.encoder.num_attention_heads, self._config.decoder.num_attention_heads)

    @property
    def encoder_length_is_dynamic(self) -> bool:
        """The image size is fixed, so is the encoder's output length."""
        return False

    def encoder_output_length(self, encoder_inputs: Mapping[str, Any]) -> int:
        """A ViT-style encoder's sequence: one state per patch and its [CLS]."""
        encoder = self._config.encoder
        return (encoder.image_size // encoder.patch_size) ** 2 + 1

    def preprocessed_inputs(self, preprocessor: Any, sizes: ExampleSizes, framework: Any) -> dict[str, Any]:
        """Images through the image processor and decoder tokens through the tokenizer, of a processor or given
        alone; the part without one (a checkpoint's tokenizer alone, as ``--preprocessor auto`` finds for
        ViT + GPT-2 captioners) comes from the config."""
        image_processor = getattr(preprocessor, "image_processor", preprocessor if takes_pixels(preprocessor) else None)
        tokenizer = getattr(preprocessor, "tokenizer", None if takes_pixels(preprocessor) else preprocessor)
        config_made = self.generate_dummy_inputs_from_config(sizes.batch, sizes.seq_length, framework=framework)
        inputs = dict(config_made)
        if image_processor is not None:
            inputs["pixel_values"] = self.image_inputs(image_processor, sizes, framework)
        if tokenizer is not None:
            text = self.text_inputs(tokenizer, sizes, framework)
            inputs["decoder_input_ids"], inputs["decoder_attention_mask"] = text["input_ids"], text["attention_mask"]
        return inputs

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Random pixels of the encoder's ``image_size`` and random decoder tokens with a full mask."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        length = compute_effective_axis_dimension(seq_length, self.default_fixed_sequence)
        encoder = self._config.encoder
        ids = random_token_rows((batch, length), self._config.decoder, seed=0)
        return {
            "pixel_values": random_pixels(batch, encoder.num_channels, encoder.image_size, framework),
            "decoder_input_ids": to_framework(ids, framework),
            "decoder_attention_mask": to_framework(np.ones_like(ids), framework),
        }

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """The base's (another batch and length, a padded last row) with varied ordinary decoder tokens after the
        first, which the base cannot draw: the vocabulary is the decoder config's."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        ids = as_numpy(inputs["decoder_input_ids"]).copy()
        ids[:, 1:] = random_token_rows(ids[:, 1:].shape, self._config.decoder, seed=1, preprocessor=preprocessor)
        inputs["decoder_input_ids"] = to_framework(ids, framework)
        return inputs
