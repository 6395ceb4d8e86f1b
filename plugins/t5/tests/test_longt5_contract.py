"""LongT5's export patch computes what LongT5 computes, padding included, and is applied only while exporting."""

from __future__ import annotations

import torch
from onnxcore_t5 import LongT5OnnxConfig
from onnxcore_t5.longt5 import global_aggregates
from test_longt5_conformance import tiny_longt5_config
from transformers.models.longt5 import modeling_longt5


def test_global_aggregates_equal_longt5s_for_every_block_count() -> None:
    generator = torch.Generator().manual_seed(0)
    for length in (3, 8, 13):
        hidden = torch.randn(2, length, 6, generator=generator)
        mask = torch.ones(2, length)
        mask[0, :2] = 0  # left padding: block id -1
        block_ids, segments = modeling_longt5._make_global_fixed_block_ids(mask, 4)
        blocks = segments.shape[-1]
        expected = modeling_longt5._create_global_aggregates(hidden, block_ids, blocks)
        torch.testing.assert_close(global_aggregates(hidden, block_ids, blocks), expected)


def test_the_patch_is_undone_after_export() -> None:
    original = modeling_longt5._create_global_aggregates
    config = LongT5OnnxConfig(tiny_longt5_config(), task="seq2seq-lm", use_past=True)
    config.patch_ops()
    try:
        assert modeling_longt5._create_global_aggregates is global_aggregates
    finally:
        config.restore_ops()
    assert modeling_longt5._create_global_aggregates is original
