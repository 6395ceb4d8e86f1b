"""What both runtime suites check a runtime against: the inputs, the tolerance, the checkpoints each generation test
runs on, and PyTorch's greedy generation.

The suites' tests import it by name (``from reference import ...``), as tests/ imports its conftest: pytest puts
this folder on ``sys.path`` when it loads the conftest.py beside it.
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import DynamicCache, EncoderDecoderCache

ATOL = 1e-4
TEXTS = ["the quick brown fox", "a longer sentence than the first one"]  # a padded batch
PROMPTS = ["the quick brown fox jumps over", "hello"]  # a padded batch: lengths differ
MAX_NEW_TOKENS = 10

# each generation test runs on the example and on a kit checkpoint of other sizes and head counts (conftest.KIT_MODELS)
GPT2 = ["gpt2", "gpt2-3heads"]
T5 = ["t5", "t5-3heads"]
WHISPER = ["whisper", "whisper-3heads"]


def greedy(model: Any, **inputs: Any) -> list[list[int]]:
    """Greedy ``generate()`` tokens, a list per input row, of a PyTorch model (or of any transformers
    GenerationMixin: Optimum's models are)."""
    with torch.no_grad():
        output = model.generate(**inputs, do_sample=False, num_beams=1, max_new_tokens=MAX_NEW_TOKENS)
    return output.tolist()


def empty_t5_cache() -> EncoderDecoderCache:
    """An empty cache to start PyTorch's T5 ``generate()`` with: left to itself, it sizes the cache by the encoder's
    2 layers and fails on the decoder's 3."""
    return EncoderDecoderCache(DynamicCache(), DynamicCache())
