"""LayoutLMv3 through onnxcore's conformance suite, with its own processor: a byte-level BPE LayoutLMv3 tokenizer
(RoBERTa's specials) and LayoutLMv3's image processor with OCR off (the example inputs give words and boxes)."""

from __future__ import annotations

from pathlib import Path

from transformers import LayoutLMv3Config, LayoutLMv3ImageProcessor, LayoutLMv3Processor, LayoutLMv3TokenizerFast

from onnxcore.testing.checkpoints import save_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite


class TestLayoutLMv3Conformance(ConformanceSuite):
    model_type = "layoutlmv3"
    distribution = "onnxcore-multimodal"
    tensorflow_xfail = dict.fromkeys(
        ("default", "question-answering", "sequence-classification", "token-classification"),
        "tf2onnx keeps a tensor TFLayoutLMv3 builds inside its call as a graph input: the graph takes 'input_ids',"
        " 'bbox', 'attention_mask', 'pixel_values' and 'tf_layout_l_mv3_model/layoutlmv3/ExpandDims/input:0'",
    )

    def tiny_config(self) -> LayoutLMv3Config:
        """32x32 pages in 8x8 patches; 32 wide (4 box corners x 4 + height and width x 8), 2 layers of 4 heads.
        Two labels: the question-answering head splits its logits into start and end, so it needs exactly two."""
        return LayoutLMv3Config(
            vocab_size=300,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=48,
            max_position_embeddings=48,
            coordinate_size=4,
            shape_size=8,
            rel_pos_bins=8,
            max_rel_pos=16,
            rel_2d_pos_bins=8,
            max_rel_2d_pos=32,
            input_size=32,
            patch_size=8,
        )

    def save_preprocessor(self, directory: Path) -> None:
        tokenizer = save_bpe_tokenizer(directory, 300, LayoutLMv3TokenizerFast)
        images = LayoutLMv3ImageProcessor(size={"height": 32, "width": 32}, apply_ocr=False)
        LayoutLMv3Processor(image_processor=images, tokenizer=tokenizer).save_pretrained(directory)
