"""LayoutLMv3: a document's words, their boxes and the page image in; the task's outputs out.

The page image is fixed at the config's ``input_size``: the patch position embeddings and the visual boxes are
sized for it, and the model rejects any other size (transformers.onnx declared channels, and for two tasks height
and width, dynamic all the same). Example inputs go through ``LayoutLMv3Processor`` with words and boxes given,
so no OCR runs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from onnxcore.config import to_framework
from onnxcore.utils import compute_effective_axis_dimension

from .base import ExampleSizes, MultimodalOnnxConfig, random_pixels, random_token_rows

TEXT = {0: "batch", 1: "sequence"}
# transformers.onnx's orders, kept: users who feed inputs by position keep working
ORDERS = {
    "question-answering": ("input_ids", "attention_mask", "bbox", "pixel_values"),
    "sequence-classification": ("input_ids", "attention_mask", "bbox", "pixel_values"),
}
DEFAULT_ORDER = ("input_ids", "bbox", "attention_mask", "pixel_values")
BOX_WIDTH, BOX_TOP, BOX_BOTTOM = 8, 20, 40
# words of a dummy document line
WORDS = ("invoice", "total", "date", "the", "of", "and", "to", "in", "is", "for", "on", "with", "from", "at")


def word_boxes(count: int) -> list[list[int]]:
    """Boxes for ``count`` words in one line, on LayoutLMv3's 0-1000 page scale."""
    return [[10 * i % 990, BOX_TOP, 10 * i % 990 + BOX_WIDTH, BOX_BOTTOM] for i in range(count)]


class LayoutLMv3OnnxConfig(MultimodalOnnxConfig):
    """``input_ids``, ``bbox`` (batch, sequence, 4), ``attention_mask`` and ``pixel_values`` (batch, channels,
    input_size, input_size) -> ``last_hidden_state`` (text then image patches), or the task's logits (token
    classification: the text's tokens only)."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        axes = {"input_ids": TEXT, "attention_mask": TEXT, "bbox": TEXT, "pixel_values": {0: "batch"}}
        return OrderedDict((name, dict(axes[name])) for name in ORDERS.get(self.task, DEFAULT_ORDER))

    @property
    def outputs(self) -> Mapping[str, Mapping[int, str]]:
        """The task's outputs; the hidden states and the answer logits run over the text and then the image's
        patches (and its [CLS]), so that axis is not the input's ``sequence``."""
        outputs = super().outputs
        if self.task in ("default", "question-answering"):
            for axes in outputs.values():
                axes[1] = "sequence + patches"
        return outputs

    @property
    def default_onnx_opset(self) -> int:
        return 12

    @property
    def atol_for_validation(self) -> float:
        return 1e-5

    def preprocessed_inputs(self, preprocessor: Any, sizes: ExampleSizes, framework: Any) -> dict[str, Any]:
        """Rows of words with one box each and random page images through the processor (OCR off: the words are
        given), truncated or padded to ``seq_length`` tokens."""
        length = compute_effective_axis_dimension(sizes.seq_length, self.default_fixed_sequence)
        batch = sizes.batch
        words = [[WORDS[(row * 7 + i) % len(WORDS)] for i in range(length)] for row in range(batch)]
        preprocessor.image_processor.apply_ocr = False
        inputs = preprocessor(
            self._generate_dummy_images(batch, *sizes.images),
            text=words,
            boxes=[word_boxes(length)] * batch,
            padding="max_length",
            truncation=True,
            max_length=length,
            return_tensors="np",
        )
        return {name: to_framework(np.asarray(inputs[name]), framework) for name in self.inputs}

    def generate_dummy_inputs_from_config(
        self, batch_size: int = -1, seq_length: int = -1, num_choices: int = -1, framework: Any = None
    ) -> dict[str, Any]:
        """Random token ids, one box per token, a full mask and random pixels of ``input_size``."""
        batch = compute_effective_axis_dimension(batch_size, self.default_fixed_batch)
        length = compute_effective_axis_dimension(seq_length, self.default_fixed_sequence)
        config = self._config
        ids = random_token_rows((batch, length), config, seed=0)
        values = {
            "input_ids": ids,
            "attention_mask": np.ones_like(ids),
            "bbox": np.broadcast_to(np.array(word_boxes(length), dtype=np.int64), (batch, length, 4)).copy(),
        }
        inputs = {name: to_framework(array, framework) for name, array in values.items()}
        inputs["pixel_values"] = random_pixels(batch, config.num_channels, config.input_size, framework)
        return {name: inputs[name] for name in self.inputs}
