"""data2vec-vision through onnxcore's conformance suite, with the BEiT image processor its checkpoints ship."""

from __future__ import annotations

from pathlib import Path

from transformers import BeitImageProcessor, Data2VecVisionConfig

from onnxcore.testing.conformance import ConformanceSuite


class TestData2VecVisionConformance(ConformanceSuite):
    model_type = "data2vec-vision"
    distribution = "onnxcore-vit"
    tensorflow_xfail = dict.fromkeys(
        ("default", "image-classification", "semantic-segmentation"),
        "tf2onnx turns each layer's relative_position_bias/Gather indices into graph inputs (the graph takes"
        " pixel_values and 'tf_data2_vec_vision_model/.../relative_position_bias/Gather/indices:0'), not the"
        " declared pixel_values alone; export from PyTorch weights",
    )

    def tiny_config(self) -> Data2VecVisionConfig:
        """32 px images in 8 px patches, 3 layers of 4 heads with relative position biases (as the released
        checkpoints have). The UPerNet head needs 4 feature maps (the embeddings and each layer) and keeps its
        pooling scales 1, 2, 3, 6, which do not divide its 2x2 map: what the pooling patch is for."""
        return Data2VecVisionConfig(
            image_size=32,
            patch_size=8,
            hidden_size=32,
            num_hidden_layers=3,
            num_attention_heads=4,
            intermediate_size=40,
            use_relative_position_bias=True,
            out_indices=[1, 2, 3, 4],
            channels=16,
            use_auxiliary_head=False,
            num_labels=3,
        )

    def save_preprocessor(self, directory: Path) -> None:
        BeitImageProcessor(size={"height": 32, "width": 32}, do_center_crop=False).save_pretrained(directory)
