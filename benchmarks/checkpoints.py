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

from onnxcore.testing.checkpoints import (
    save_byte_level_bpe_tokenizer,
    save_random_model,
    save_unigram_tokenizer,
    save_whisper_processor,
    save_wordpiece_tokenizer,
)

# GPT-2 shapes (n_embd, n_layer, n_head) from about 10M parameters to gpt2-large (774M, 3.1 GB of fp32 weights)
SCALE_SHAPES = {
    "10m": (128, 4, 4),
    "124m": (768, 12, 12),
    "355m": (1024, 24, 16),
    "774m": (1280, 36, 20),
}


def bert_base_uncased(target: Path) -> None:
    from transformers import BertConfig, BertModel

    save_wordpiece_tokenizer(target)
    save_random_model(target, BertModel, BertConfig(architectures=["BertForMaskedLM"]))


def gpt2(target: Path, shape: tuple[int, int, int] = (768, 12, 12)) -> None:
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
    save_random_model(target, GPT2LMHeadModel, config)


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
        gpt2(folder, SCALE_SHAPES[name.removeprefix("gpt2-scale-")])
    else:
        BUILDERS[name](folder)
    return folder


if __name__ == "__main__":
    root = Path(sys.argv[1])
    for checkpoint in sys.argv[2:] or BUILDERS:
        print(build(root, checkpoint))
