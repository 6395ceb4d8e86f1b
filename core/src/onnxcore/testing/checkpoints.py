"""Tiny checkpoints with real tokenizer files, built offline from a config and a fixed seed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

WORDS = (
    "the of and to in is was for on that with as by it at from his he an be are this which or had not first"
    " new one also were after but who their they has its more other time two her she been all into during"
    " world city only there when over most year between these used some would can than school many may"
    " state war later while three both under team where season film about him them game made known such"
    " music before then including part united through well since being national american second during"
    " onnx model export runtime graph tensor token layer attention hello good day night cat dog sun moon"
).split()

WORDPIECE_SPECIALS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def wordpiece_vocabulary(words: Iterable[str] = WORDS) -> list[str]:
    """Specials, single characters (with ``##`` continuations) and whole words: every lowercase text tokenizes."""
    letters = [chr(code) for code in range(ord("a"), ord("z") + 1)] + list("0123456789.,!?'-")
    vocabulary = list(WORDPIECE_SPECIALS) + letters + [f"##{letter}" for letter in letters]
    vocabulary += sorted(set(words) - set(vocabulary))
    return vocabulary


def save_wordpiece_tokenizer(directory: Path, tokenizer_class: Any = None, **kwargs: Any) -> Any:
    """Write ``vocab.txt`` and a fast WordPiece tokenizer (BERT's by default) into ``directory``."""
    from transformers import BertTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    vocab_file = directory / "vocab.txt"
    vocab_file.write_text("\n".join(wordpiece_vocabulary()) + "\n")
    tokenizer = (tokenizer_class or BertTokenizerFast)(vocab_file=str(vocab_file), **kwargs)
    tokenizer.save_pretrained(directory)
    return tokenizer


def save_random_model(directory: Path, model_class: Any, config: Any, seed: int = 0) -> Any:
    """Instantiate ``model_class`` from ``config`` with seeded random weights and save it as safetensors."""
    import torch

    torch.manual_seed(seed)
    model = model_class(config).eval()
    model.save_pretrained(directory)
    return model
