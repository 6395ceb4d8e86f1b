"""DETR through onnxcore's conformance suite: a tiny transformers ResNet backbone (no timm, nothing downloaded)
and DETR's own image processor, which also returns the ``pixel_mask``."""

from __future__ import annotations

from pathlib import Path

from transformers import DetrConfig, DetrImageProcessor, ResNetConfig

from onnxcore.testing.conformance import ConformanceSuite


class TestDetrConformance(ConformanceSuite):
    model_type = "detr"
    distribution = "onnxcore-vit"

    def tiny_config(self) -> DetrConfig:
        """One encoder and one decoder layer, 5 queries, on a four-stage ResNet (the segmentation head reads
        every stage). The mask head's group norms need ``d_model + encoder_attention_heads`` divisible by 8 and
        ``d_model / 2, / 4`` by their groups: d_model 32 with 8 encoder heads is the smallest such choice."""
        backbone = ResNetConfig(
            embedding_size=8,
            hidden_sizes=[8, 8, 16, 16],
            depths=[1, 1, 1, 1],
            layer_type="basic",
            out_features=["stage1", "stage2", "stage3", "stage4"],
        )
        return DetrConfig(
            use_timm_backbone=False,
            backbone=None,
            backbone_config=backbone,
            use_pretrained_backbone=False,
            d_model=32,
            encoder_layers=1,
            decoder_layers=1,
            encoder_attention_heads=8,
            decoder_attention_heads=4,
            encoder_ffn_dim=36,
            decoder_ffn_dim=36,
            num_queries=5,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        DetrImageProcessor(size={"shortest_edge": 48, "longest_edge": 64}).save_pretrained(directory)
