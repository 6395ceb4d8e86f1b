"""BERT (masked-lm) and ViT (image-classification): Optimum's ORTModelFor* classes load the export folder as-is and
give PyTorch's logits."""

from __future__ import annotations

import numpy as np
import torch
from optimum.onnxruntime import ORTModelForImageClassification, ORTModelForMaskedLM
from PIL import Image
from reference import ATOL, TEXTS
from transformers import AutoImageProcessor, AutoModelForImageClassification, AutoModelForMaskedLM, AutoTokenizer


def test_bert_masked_lm_logits(exported):
    export = exported("bert")
    tokenizer = AutoTokenizer.from_pretrained(export.folder)
    inputs = tokenizer(TEXTS, padding=True, return_tensors="pt")
    model = ORTModelForMaskedLM.from_pretrained(export.folder)
    with torch.no_grad():
        expected = AutoModelForMaskedLM.from_pretrained(export.checkpoint).eval()(**inputs).logits
    actual = model(**inputs).logits
    assert actual.shape == expected.shape
    torch.testing.assert_close(actual, expected, atol=ATOL, rtol=0)


def test_vit_image_classification_logits(exported):
    export = exported("vit")
    pixels = np.random.default_rng(0).integers(0, 256, (2, 40, 50, 3), dtype=np.uint8)
    processor = AutoImageProcessor.from_pretrained(export.folder)
    inputs = processor([Image.fromarray(image) for image in pixels], return_tensors="pt")
    model = ORTModelForImageClassification.from_pretrained(export.folder)
    with torch.no_grad():
        expected = AutoModelForImageClassification.from_pretrained(export.checkpoint).eval()(**inputs).logits
    actual = model(**inputs).logits
    assert actual.shape == expected.shape == (2, 3)
    torch.testing.assert_close(actual, expected, atol=ATOL, rtol=0)
