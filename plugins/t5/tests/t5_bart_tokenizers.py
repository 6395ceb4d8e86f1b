"""Tokenizers of the kinds Marian and Blenderbot-Small checkpoints ship, which the kit has no builder for: built
offline from the kit's word list, saved as their real (slow) tokenizer classes save them."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from onnxcore.testing.checkpoints import WORDS

SENTENCES = [" ".join(WORDS[i : i + 12]) for i in range(0, len(WORDS), 6)]
MARIAN_SPECIALS = ("</s>", "<unk>")  # ids 0 and 1; <pad> is the last id, as in opus-mt checkpoints
BLENDERBOT_SMALL_SPECIALS = ("__null__", "__start__", "__end__", "__unk__")  # pad 0, bos 1, eos 2, unk 3


def save_marian_tokenizer(directory: Path, vocab_size: int) -> Any:
    """A ``MarianTokenizer``: one SentencePiece Unigram model as ``source.spm`` and ``target.spm`` and a shared
    ``vocab.json`` of ``vocab_size`` ids: ``</s>`` 0, ``<unk>`` 1, the pieces, ``<pad>`` last. Needs the
    ``sentencepiece`` package, as MarianTokenizer does."""
    import sentencepiece
    from transformers import MarianTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    model = io.BytesIO()
    sentencepiece.SentencePieceTrainer.train(
        sentence_iterator=iter(SENTENCES),
        model_writer=model,
        vocab_size=vocab_size - len(MARIAN_SPECIALS),  # its own <unk> makes way for <pad>
        model_type="unigram",
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
        minloglevel=2,
    )
    for name in ("source.spm", "target.spm"):
        (directory / name).write_bytes(model.getvalue())
    processor = sentencepiece.SentencePieceProcessor(model_proto=model.getvalue())
    pieces = [processor.id_to_piece(i) for i in range(processor.get_piece_size()) if not processor.is_unknown(i)]
    tokens = [*MARIAN_SPECIALS, *pieces, "<pad>"]
    assert len(tokens) == vocab_size, (len(tokens), vocab_size)
    (directory / "vocab.json").write_text(json.dumps({token: index for index, token in enumerate(tokens)}))
    tokenizer = MarianTokenizer(
        source_spm=str(directory / "source.spm"),
        target_spm=str(directory / "target.spm"),
        vocab=str(directory / "vocab.json"),
    )
    tokenizer.save_pretrained(directory)
    return tokenizer


def save_blenderbot_small_tokenizer(directory: Path, vocab_size: int) -> Any:
    """A ``BlenderbotSmallTokenizer``: subword-nmt style BPE (``@@`` continuations, lower case) trained on the kit's
    words, ``vocab.json`` of ``vocab_size`` ids (``__null__`` 0, ``__start__`` 1, ``__end__`` 2, ``__unk__`` 3)
    and ``merges.txt``."""
    from tokenizers import CharBPETokenizer
    from transformers import BlenderbotSmallTokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    bpe = CharBPETokenizer(lowercase=True)
    bpe.train_from_iterator(SENTENCES, vocab_size=vocab_size - len(BLENDERBOT_SMALL_SPECIALS), min_frequency=1)
    bpe.save_model(str(directory))  # merges.txt in subword-nmt's format ("#version" line, then "a b" pairs)
    # subword-nmt spells a word-final piece without its "</w>" and every other piece with a trailing "@@"
    pieces = [piece for piece, _ in sorted(bpe.get_vocab().items(), key=lambda item: item[1]) if piece != "<unk>"]
    spelled = [piece[: -len("</w>")] if piece.endswith("</w>") else piece + "@@" for piece in pieces]
    tokens = list(dict.fromkeys([*BLENDERBOT_SMALL_SPECIALS, *spelled]))[:vocab_size]
    (directory / "vocab.json").write_text(json.dumps({token: index for index, token in enumerate(tokens)}))
    tokenizer = BlenderbotSmallTokenizer(
        vocab_file=str(directory / "vocab.json"), merges_file=str(directory / "merges.txt")
    )
    tokenizer.save_pretrained(directory)
    return tokenizer
