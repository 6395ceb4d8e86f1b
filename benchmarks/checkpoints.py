"""Benchmark checkpoints: the real configs of five hub models with seeded random weights, built offline.

python benchmarks/checkpoints.py TARGET [NAME ...]

The architecture fields (sizes, layers, heads, vocabulary, positions) are those of the hub checkpoints named;
weights are random (seed 0), so cost is real and outputs are meaningless. Tokenizers and processors are the
kit's real ones with a small vocabulary: they only make example inputs, whose ids fit any larger vocabulary.
``gpt2-scale-N`` are GPT-2-shaped models for the scale curve (``N`` from :data:`SCALE_SHAPES`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from onnxcore.testing.checkpoints import (
    save_byte_level_bpe_tokenizer,
    save_random_model,
    save_unigram_tokenizer,
    save_whisper_processor,
    save_wordpiece_tokenizer,
)

SHARD_BYTES = 2 * 2**30  # as the hub's large checkpoints are cut: a few GB a file

# GPT-2 shapes (n_embd, n_layer, n_head) from about 10M parameters to gpt2-xl (1.56B, 6.2 GB of fp32 weights)
SCALE_SHAPES = {
    "10m": (128, 4, 4),
    "124m": (768, 12, 12),
    "355m": (1024, 24, 16),
    "774m": (1280, 36, 20),
    "1558m": (1600, 48, 25),
}


def _initial_value(name: str, shape: tuple[int, ...], generator: Any) -> Any:
    """What transformers' own initialization gives, near enough: norm weights 1, biases 0, other weights N(0, 0.02)."""
    import torch

    *path, leaf = name.split(".")
    if leaf == "bias":
        return torch.zeros(shape)
    if len(shape) == 1 and ("norm" in name.lower() or (path and path[-1].startswith("ln_"))):
        return torch.ones(shape)
    return torch.empty(shape).normal_(0.0, 0.02, generator=generator)


def save_streamed_random_model(target: Path, model_class: Any, config: Any, seed: int = 0) -> None:
    """Save ``model_class(config)`` with seeded random weights as sharded safetensors without building the model:
    it is made on the meta device (shapes only), and each shard is drawn, written and freed before the next, so
    memory holds one shard (:data:`SHARD_BYTES`), not the model."""
    import json

    import torch
    from safetensors.torch import save_file

    with torch.device("meta"):
        model = model_class(config)
    weights = list(model.named_parameters())  # a tied weight once, under its first name, as save_pretrained does
    shards: list[list[tuple[str, tuple[int, ...]]]] = [[]]
    size = 0
    for name, parameter in weights:
        nbytes = parameter.numel() * 4
        if shards[-1] and size + nbytes > SHARD_BYTES:
            shards.append([])
            size = 0
        shards[-1].append((name, tuple(parameter.shape)))
        size += nbytes
    target.mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(seed)
    weight_map = {}
    for index, shard in enumerate(shards, 1):
        file_name = f"model-{index:05d}-of-{len(shards):05d}.safetensors"
        tensors = {name: _initial_value(name, shape, generator) for name, shape in shard}
        save_file(tensors, str(target / file_name), metadata={"format": "pt"})
        del tensors
        weight_map.update({name: file_name for name, _ in shard})
    total = sum(parameter.numel() * 4 for _, parameter in weights)
    index_file = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (target / "model.safetensors.index.json").write_text(json.dumps(index_file, indent=2) + "\n")
    config.save_pretrained(target)


def bert_base_uncased(target: Path) -> None:
    from transformers import BertConfig, BertModel

    save_wordpiece_tokenizer(target)
    save_random_model(target, BertModel, BertConfig(architectures=["BertForMaskedLM"]))


def gpt2(target: Path, shape: tuple[int, int, int] = (768, 12, 12), streamed: bool = False) -> None:
    from transformers import GPT2Config, GPT2LMHeadModel

    tokenizer = save_byte_level_bpe_tokenizer(target)
    n_embd, n_layer, n_head = shape
    config = GPT2Config(
        n_embd=n_embd,
        n_layer=n_layer,
        n_head=n_head,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["GPT2LMHeadModel"],
    )
    (save_streamed_random_model if streamed else save_random_model)(target, GPT2LMHeadModel, config)


def t5_small(target: Path) -> None:
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = save_unigram_tokenizer(target)
    config = T5Config(  # T5Config's defaults are t5-small's sizes
        decoder_start_token_id=tokenizer.pad_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["T5ForConditionalGeneration"],
    )
    save_random_model(target, T5ForConditionalGeneration, config)


def vit_base_patch16_224(target: Path) -> None:
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    ViTImageProcessor(size={"height": 224, "width": 224}).save_pretrained(target)
    config = ViTConfig(num_labels=1000, architectures=["ViTForImageClassification"])
    save_random_model(target, ViTForImageClassification, config)


def whisper_tiny(target: Path) -> None:
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    tokenizer = save_whisper_processor(target).tokenizer  # 80 mel bins, 30-second chunks: 3000 frames
    config = WhisperConfig(  # WhisperConfig's defaults are whisper-tiny's sizes
        decoder_start_token_id=tokenizer.convert_tokens_to_ids("<|startoftranscript|>"),
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        architectures=["WhisperForConditionalGeneration"],
    )
    save_random_model(target, WhisperForConditionalGeneration, config)


def whisper_large_v3(target: Path) -> None:
    from transformers import WhisperConfig, WhisperForConditionalGeneration

    tokenizer = save_whisper_processor(target, num_mel_bins=128).tokenizer
    config = WhisperConfig(  # openai/whisper-large-v3's sizes
        vocab_size=51866,
        num_mel_bins=128,
        d_model=1280,
        encoder_layers=32,
        decoder_layers=32,
        encoder_attention_heads=20,
        decoder_attention_heads=20,
        encoder_ffn_dim=5120,
        decoder_ffn_dim=5120,
        max_source_positions=1500,
        max_target_positions=448,
        decoder_start_token_id=tokenizer.convert_tokens_to_ids("<|startoftranscript|>"),
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        architectures=["WhisperForConditionalGeneration"],
    )
    save_streamed_random_model(target, WhisperForConditionalGeneration, config)


def flan_t5_xl(target: Path) -> None:
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = save_unigram_tokenizer(target)
    config = T5Config(  # google/flan-t5-xl's sizes
        vocab_size=32128,
        d_model=2048,
        d_ff=5120,
        d_kv=64,
        num_heads=32,
        num_layers=24,
        num_decoder_layers=24,
        feed_forward_proj="gated-gelu",
        tie_word_embeddings=False,
        decoder_start_token_id=tokenizer.pad_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["T5ForConditionalGeneration"],
    )
    save_streamed_random_model(target, T5ForConditionalGeneration, config)


#: Checkpoints in the shapes of the largest of each family: built shard by shard, never whole in memory.
BIG_BUILDERS: dict[str, Callable[[Path], None]] = {
    "gpt2-xl": lambda target: gpt2(target, SCALE_SHAPES["1558m"], streamed=True),
    "whisper-large-v3": whisper_large_v3,
    "flan-t5-xl": flan_t5_xl,
}

BUILDERS: dict[str, Callable[[Path], None]] = {
    "bert-base-uncased": bert_base_uncased,
    "gpt2": gpt2,
    "t5-small": t5_small,
    "vit-base-patch16-224": vit_base_patch16_224,
    "whisper-tiny": whisper_tiny,
}


def build(target: Path, name: str) -> Path:
    """Build checkpoint ``name`` in ``target/name`` unless it is already there; returns the folder."""
    folder = target / name
    if (folder / "config.json").is_file():
        return folder
    if name.startswith("gpt2-scale-"):
        gpt2(folder, SCALE_SHAPES[name.removeprefix("gpt2-scale-")], streamed=True)
    else:
        (BUILDERS | BIG_BUILDERS)[name](folder)
    return folder


if __name__ == "__main__":
    root = Path(sys.argv[1])
    for checkpoint in sys.argv[2:] or BUILDERS:
        print(build(root, checkpoint))
