"""A CLIP graph scores any number of images against any number of texts: the similarity matrices are dynamic on
both axes, though the kit's examples give both modalities the same batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from test_text_image_conformance import VOCAB, clip_processor, tiny_clip_config
from transformers import CLIPModel

from onnxcore.testing.checkpoints import save_random_model
from onnxcore.testing.exports import export_once
from onnxcore.validate import onnxruntime_session


def test_clip_scores_other_counts_of_images_and_texts(tmp_path: Path) -> None:
    checkpoint = tmp_path / "clip"
    model = save_random_model(checkpoint, CLIPModel, tiny_clip_config())
    clip_processor(checkpoint, 32)
    output = export_once(checkpoint, "default").output
    generator = torch.Generator().manual_seed(4)
    ids = torch.randint(0, VOCAB - 2, (3, 7), generator=generator)
    ids[:, -1] = VOCAB - 1  # each text ends with <|endoftext|>, where CLIP pools
    feeds = {"input_ids": ids, "pixel_values": torch.randn(2, 3, 32, 32, generator=generator)}
    feeds["attention_mask"] = torch.ones_like(ids)
    with torch.no_grad():
        expected = model(**feeds)
    session = onnxruntime_session(output / "model.onnx")
    per_image, per_text = session.run(["logits_per_image", "logits_per_text"], {k: v.numpy() for k, v in feeds.items()})
    assert per_image.shape == (2, 3) and per_text.shape == (3, 2)
    np.testing.assert_allclose(per_image, expected.logits_per_image.numpy(), atol=1e-4)
