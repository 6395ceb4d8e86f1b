"""BERT (masked-lm) and ViT (image-classification) in transformers.js: its own tokenizer and image processor read
the export folder and give Python's inputs, and the model gives PyTorch's logits."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image
from reference import ATOL, TEXTS
from transformers import AutoImageProcessor, AutoModelForImageClassification, AutoModelForMaskedLM, AutoTokenizer


def test_bert_masked_lm_logits(exported, transformersjs):
    export = exported("bert")
    result = transformersjs(export.folder, "masked-lm", {"texts": TEXTS})
    inputs = AutoTokenizer.from_pretrained(export.folder)(TEXTS, padding=True, return_tensors="pt")
    assert result["input_ids"] == inputs.input_ids.tolist()
    with torch.no_grad():
        expected = AutoModelForMaskedLM.from_pretrained(export.checkpoint).eval()(**inputs).logits
    torch.testing.assert_close(torch.tensor(result["logits"]), expected, atol=ATOL, rtol=0)


def test_vit_image_classification_logits(exported, transformersjs):
    export = exported("vit")
    # already the processor's 30x30, so that sharp's and PIL's resampling cannot differ
    pixels = np.random.default_rng(0).integers(0, 256, (30, 30, 3), dtype=np.uint8)
    image = {"width": 30, "height": 30, "data": pixels.flatten().tolist()}
    result = transformersjs(export.folder, "image-classification", {"image": image})
    inputs = AutoImageProcessor.from_pretrained(export.folder)(Image.fromarray(pixels), return_tensors="pt")
    torch.testing.assert_close(torch.tensor(result["pixel_values"]), inputs.pixel_values, atol=1e-6, rtol=0)
    with torch.no_grad():
        expected = AutoModelForImageClassification.from_pretrained(export.checkpoint).eval()(**inputs).logits
    torch.testing.assert_close(torch.tensor(result["logits"]), expected, atol=ATOL, rtol=0)
