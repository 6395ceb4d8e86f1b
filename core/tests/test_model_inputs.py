"""Flat ONNX inputs -> model call: caches built from flat tensors, generation position ids, tracer patches."""

from __future__ import annotations

import pytest
import torch
from throwaway import TinyTextOnnxConfig
from transformers import BertConfig, masking_utils

from onnxcore.exporters.dynamo import DynamoExporter
from onnxcore.exporters.torchscript import TorchScriptExporter
from onnxcore.frameworks.pytorch import build_cache, generation_position_ids, math_attention
from onnxcore.model_inputs import cache_layers
from onnxcore.patching import TORCHSCRIPT_PATCHES, broadcast_mask_function, export_patches
from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer


def test_generation_position_ids_follow_generate_for_left_padding() -> None:
    mask = torch.tensor([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])
    assert generation_position_ids(mask, 5).tolist() == [[0, 1, 0, 1, 2], [0, 1, 2, 3, 4]]
    assert generation_position_ids(mask, 1).tolist() == [[2], [4]]


def test_generation_position_ids_equal_plain_positions_without_left_padding() -> None:
    mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]])
    assert generation_position_ids(mask, 3).tolist() == [[2, 3, 4], [2, 3, 4]]


def test_cache_round_trips_flat_tensors() -> None:
    layers = [(torch.randn(2, 3, 4, 5), torch.randn(2, 3, 4, 5)) for _ in range(3)]
    cache = build_cache(layers)
    assert cache.get_seq_length() == 4
    for (key, value), (got_key, got_value) in zip(layers, cache_layers(cache)):
        assert torch.equal(key, got_key) and torch.equal(value, got_value)


def test_cache_accepts_an_empty_past() -> None:
    cache = build_cache([(torch.zeros(2, 3, 0, 5), torch.zeros(2, 3, 0, 5))])
    assert cache.get_seq_length() == 0


def _mask_by_loop(mask_function, batch, heads, queries, keys) -> torch.Tensor:
    """What vmap over (batch, head, query, key) computes, one scalar index at a time."""
    return torch.tensor(
        [[[[bool(mask_function(b, h, q, k)) for k in keys] for q in queries] for h in heads] for b in batch]
    )


def test_broadcast_mask_evaluates_every_position_like_vmap() -> None:
    padding = torch.tensor([[0, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]], dtype=torch.bool)

    def causal_and_padding(batch_idx, head_idx, q_idx, kv_idx):
        return (kv_idx <= q_idx) & padding[batch_idx, kv_idx]

    arguments = (torch.arange(2), torch.arange(1), torch.arange(2, 6), torch.arange(6))
    expected = _mask_by_loop(causal_and_padding, *arguments)
    assert torch.equal(broadcast_mask_function(causal_and_padding)(*arguments), expected)
    causal = broadcast_mask_function(lambda b, h, q, kv: kv <= q, bh_indices=False)
    expected_causal = _mask_by_loop(lambda b, h, q, kv: kv <= q, [0], [0], *arguments[2:])[0, 0]
    assert torch.equal(causal(None, None, *arguments[2:]), expected_causal)


def test_torchscript_patches_are_restored() -> None:
    names = [name for _, name, _ in TORCHSCRIPT_PATCHES if hasattr(masking_utils, name)]
    assert "find_packed_sequence_indices" in names  # transformers 4.57 and 5.x both probe packed sequences
    originals = {name: getattr(masking_utils, name) for name in names}
    config = TinyTextOnnxConfig(BertConfig())
    with pytest.raises(RuntimeError, match="export failed"), export_patches(config, TorchScriptExporter.patches):
        assert masking_utils.find_packed_sequence_indices(torch.arange(3)[None]) is None
        raise RuntimeError("export failed")
    assert {name: getattr(masking_utils, name) for name in names} == originals
    with export_patches(config, DynamoExporter.patches):
        assert masking_utils.find_packed_sequence_indices is originals["find_packed_sequence_indices"]


def test_byte_level_bpe_tokenizer_round_trips_text(tmp_path) -> None:
    tokenizer = save_byte_level_bpe_tokenizer(tmp_path)
    ids = tokenizer("hello onnx world")["input_ids"]
    assert tokenizer.decode(ids) == "hello onnx world"
    assert tokenizer.eos_token_id == tokenizer.pad_token_id == 0


@pytest.mark.parametrize("case", ["bool-mask-with-fully-masked-row", "float-mask", "causal", "grouped-heads"])
def test_math_attention_matches_torch_sdpa(case: str) -> None:
    torch.manual_seed(0)
    query, key, value = (torch.randn(2, 4, 5, 8) for _ in range(3))
    options: dict = {}
    if case == "bool-mask-with-fully-masked-row":
        mask = torch.ones(2, 1, 5, 5, dtype=torch.bool).tril()
        mask[0, :, :, :2] = False  # left padding: row 0's first two queries see nothing
        options["attn_mask"] = mask
    elif case == "float-mask":
        options["attn_mask"] = torch.randn(2, 1, 5, 5)
    elif case == "causal":
        options["is_causal"] = True
    else:
        key, value = key[:, :2], value[:, :2]
        options["enable_gqa"] = True
    expected = torch.nn.functional.scaled_dot_product_attention(query, key, value, **options)
    torch.testing.assert_close(math_attention(query, key, value, **options), expected)
