"""CLIP, GroupViT and OWL-ViT through onnxcore's conformance suite, with their own processors: a CLIP BPE tokenizer
and the model's image processor at the tiny image size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from multimodal_preprocessors import clip_tokenizer
from transformers import (
    CLIPConfig,
    CLIPImageProcessor,
    CLIPProcessor,
    GroupViTConfig,
    OwlViTConfig,
    OwlViTImageProcessor,
    OwlViTProcessor,
)

from onnxcore.testing.conformance import ConformanceSuite

VOCAB = 300  # the tokenizer's: <|startoftext|> 298, <|endoftext|> 299 (eos and pad)
TF_RANGE = "tf2onnx leaves the TensorFlow op Range of {} unconverted (onnxcore refuses such graphs)"


def text_config(hidden: int, layers: int, heads: int) -> dict[str, Any]:
    """A text tower over the tiny CLIP vocabulary, pooling at its ``<|endoftext|>``."""
    return dict(
        vocab_size=VOCAB,
        hidden_size=hidden,
        intermediate_size=2 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        max_position_embeddings=32,
        bos_token_id=VOCAB - 2,
        eos_token_id=VOCAB - 1,
        pad_token_id=VOCAB - 1,
    )


def clip_processor(directory: Path, size: int) -> None:
    """CLIP's processor: its tokenizer and image processor (resize the short edge, centre-crop to ``size``)."""
    images = CLIPImageProcessor(size={"shortest_edge": size}, crop_size={"height": size, "width": size})
    CLIPProcessor(image_processor=images, tokenizer=clip_tokenizer(VOCAB)).save_pretrained(directory)


def tiny_clip_config() -> CLIPConfig:
    """32x32 images in 8x8 patches; 24-wide towers, 2 layers of 2 and 3 heads, 16-d projections."""
    vision = dict(image_size=32, patch_size=8, hidden_size=24, intermediate_size=36, num_hidden_layers=2)
    return CLIPConfig(
        text_config=text_config(hidden=24, layers=2, heads=2),
        vision_config=vision | {"num_attention_heads": 3},
        projection_dim=16,
    )


class TestCLIPConformance(ConformanceSuite):
    model_type = "clip"
    distribution = "onnxcore-multimodal"
    tensorflow_xfail = {"default": TF_RANGE.format("TFCLIPModel")}

    def tiny_config(self) -> CLIPConfig:
        return tiny_clip_config()

    def save_preprocessor(self, directory: Path) -> None:
        clip_processor(directory, 32)


class TestGroupViTConformance(ConformanceSuite):
    model_type = "groupvit"
    distribution = "onnxcore-multimodal"
    tensorflow_xfail = {"default": TF_RANGE.format("TFGroupViTModel")}

    def tiny_config(self) -> GroupViTConfig:
        """48x48 images in 8x8 patches grouped into 4 then 2 segments; 32-wide towers, 2 heads."""
        vision = dict(
            image_size=48,
            patch_size=8,
            hidden_size=32,
            intermediate_size=48,
            depths=[1, 1],
            num_hidden_layers=2,
            num_group_tokens=[4, 0],
            num_output_groups=[4, 2],
            num_attention_heads=2,
        )
        return GroupViTConfig(
            text_config=text_config(hidden=32, layers=1, heads=2),
            vision_config=vision,
            projection_dim=16,
            projection_intermediate_dim=24,
        )

    def save_preprocessor(self, directory: Path) -> None:
        clip_processor(directory, 48)


class TestOwlViTConformance(ConformanceSuite):
    model_type = "owlvit"
    distribution = "onnxcore-multimodal"

    def tiny_config(self) -> OwlViTConfig:
        """40x40 images in 10x10 patches; 20-wide towers of 1 and 2 layers, 4 and 2 heads."""
        vision = dict(image_size=40, patch_size=10, hidden_size=20, intermediate_size=40, num_hidden_layers=1)
        return OwlViTConfig(
            text_config=text_config(hidden=20, layers=2, heads=4),
            vision_config=vision | {"num_attention_heads": 2},
            projection_dim=12,
        )

    def save_preprocessor(self, directory: Path) -> None:
        images = OwlViTImageProcessor(size={"height": 40, "width": 40}, crop_size={"height": 40, "width": 40})
        OwlViTProcessor(image_processor=images, tokenizer=clip_tokenizer(VOCAB)).save_pretrained(directory)
