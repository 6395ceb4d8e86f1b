"""Tiny checkpoints with real tokenizer files, built offline from a config and a fixed seed."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..frameworks import PYTORCH
from ..loading import PT_WEIGHT_FILES, TF_WEIGHT_FILES, checkpoint_model_type, load_for_feature

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
    """Write ``vocab.txt`` and a fast WordPiece tokenizer (BERT's by default) into ``directory``.

    The tokenizer is built from a ``tokenizers`` object: transformers 5 ignores ``vocab_file`` and would
    silently build a tokenizer that knows only its special tokens.
    """
    # lazily: keeps `import onnxcore` light
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    vocabulary = wordpiece_vocabulary()
    (directory / "vocab.txt").write_text("\n".join(vocabulary) + "\n")
    wordpiece = BertWordPieceTokenizer({token: index for index, token in enumerate(vocabulary)}, lowercase=True)
    specials = dict(zip(("pad_token", "unk_token", "cls_token", "sep_token", "mask_token"), WORDPIECE_SPECIALS))
    tokenizer = (tokenizer_class or BertTokenizerFast)(tokenizer_object=wordpiece, **(specials | kwargs))
    tokenizer.save_pretrained(directory)
    return tokenizer


def save_random_model(directory: Path, model_class: Any, config: Any, seed: int = 0) -> Any:
    """Instantiate ``model_class`` from ``config`` with seeded random weights and save it as safetensors."""
    with PYTORCH.ops.seeded(seed):
        model = model_class(config).eval()
    model.save_pretrained(directory)
    return model


GPT2_SPECIAL = "<|endoftext|>"

#: RoBERTa's, BART's and XLM-R's special tokens in their fairseq order: ids 0-3 are <s>, <pad>, </s>, <unk>.
FAIRSEQ_SPECIALS = {"bos_token": "<s>", "pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}
#: How RoBERTa-style tokenizers wrap a text and a pair of texts.
FAIRSEQ_TEMPLATE = ("<s> $A </s>", "<s> $A </s> </s> $B </s>")


def _training_sentences() -> list[str]:
    return [" ".join(WORDS[i : i + 12]) for i in range(0, len(WORDS), 6)]


def _special_ids(special_tokens: dict[str, str]) -> list[str]:
    """The distinct special tokens in the order given: they take ids 0, 1, ... in the trained vocabulary."""
    return list(dict.fromkeys(special_tokens.values()))


def _wrap_texts(model: Any, template: tuple[str, str] | None) -> None:
    """Give ``model`` the post-processor that wraps a text and a pair as ``template`` says (none: unwrapped)."""
    # lazily: keeps `import onnxcore` light
    from tokenizers.processors import TemplateProcessing

    if template is None:
        return
    tokens = {piece for part in template for piece in part.split() if not piece.startswith("$")}
    model.post_processor = TemplateProcessing(
        single=template[0],
        pair=template[1],
        special_tokens=[(token, model.token_to_id(token)) for token in sorted(tokens)],
    )


def save_bpe_tokenizer(
    directory: Path,
    vocab_size: int = 400,
    tokenizer_class: Any = None,
    special_tokens: dict[str, str] | None = None,
    template: tuple[str, str] | None = FAIRSEQ_TEMPLATE,
    **kwargs: Any,
) -> Any:
    """Train a byte-level BPE on :data:`WORDS` with distinct special tokens and save it as a fast tokenizer.

    By default RoBERTa's scheme (``RobertaTokenizerFast``): ``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3,
    ``<mask>`` 4, texts wrapped as ``<s> A </s>``; BART, Blenderbot, Longformer and DeBERTa differ only in the
    class, the names in ``special_tokens`` (keyword arguments of the class, in id order) and ``template``
    (``None`` for none). ``vocab.json`` and ``merges.txt`` are written too, as such checkpoints ship them.
    """
    # lazily: keeps `import onnxcore` light
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specials = special_tokens or FAIRSEQ_SPECIALS | {"mask_token": "<mask>"}
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        _training_sentences(), vocab_size=vocab_size, min_frequency=1, special_tokens=_special_ids(specials)
    )
    bpe.save_model(str(directory))
    _wrap_texts(bpe, template)
    tokenizer = (tokenizer_class or RobertaTokenizerFast)(tokenizer_object=bpe, **(specials | kwargs))
    tokenizer.save_pretrained(directory)
    return tokenizer


def save_byte_level_bpe_tokenizer(directory: Path, vocab_size: int = 400, tokenizer_class: Any = None) -> Any:
    """Train a byte-level BPE (GPT-2's scheme) on :data:`WORDS` and save it as a fast tokenizer.

    ``<|endoftext|>`` is id 0 and serves as bos, eos and pad, as in GPT-2 checkpoints used for batched generation.
    """
    # lazily: keeps `import onnxcore` light
    from transformers import GPT2TokenizerFast

    names = ("bos_token", "eos_token", "unk_token", "pad_token")
    return save_bpe_tokenizer(
        directory,
        vocab_size,
        tokenizer_class or GPT2TokenizerFast,
        special_tokens=dict.fromkeys(names, GPT2_SPECIAL),
        template=None,
    )


T5_SPECIALS = {"pad_token": "<pad>", "eos_token": "</s>", "unk_token": "<unk>"}


def _sentencepiece_normalizer() -> Any:
    """NFKC, then runs of spaces collapsed: ``SentencePieceUnigramTokenizer``'s default without its leading
    ``Nmt``, which transformers.js cannot read ("Unknown Normalizer type: Nmt"). Real SentencePiece tokenizers
    put a ``Precompiled`` charsmap there; the kit has none, and its ASCII texts normalize the same either way."""
    # lazily: keeps `import onnxcore` light
    from tokenizers import Regex, normalizers

    return normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")])


def save_sentencepiece_tokenizer(
    directory: Path,
    vocab_size: int = 300,
    tokenizer_class: Any = None,
    special_tokens: dict[str, str] | None = None,
    template: tuple[str, str] | None = FAIRSEQ_TEMPLATE,
    **kwargs: Any,
) -> Any:
    """Train a SentencePiece-style Unigram model on :data:`WORDS` and save it as a fast tokenizer.

    By default XLM-RoBERTa's scheme (``XLMRobertaTokenizerFast``): ``<s>`` 0, ``<pad>`` 1, ``</s>`` 2,
    ``<unk>`` 3, ``<mask>`` 4, texts wrapped as ``<s> A </s>``. ALBERT, CamemBERT, mBART, Pegasus and T5 differ in
    the class, ``special_tokens`` (keyword arguments of the class, in id order; ``unk_token`` is required) and
    ``template`` (``None`` for none).
    """
    # lazily: keeps `import onnxcore` light
    from tokenizers import SentencePieceUnigramTokenizer
    from transformers import XLMRobertaTokenizerFast

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    specials = special_tokens or FAIRSEQ_SPECIALS | {"mask_token": "<mask>"}
    unigram = SentencePieceUnigramTokenizer()
    unigram.normalizer = _sentencepiece_normalizer()
    unigram.train_from_iterator(
        _training_sentences(),
        vocab_size=vocab_size,
        special_tokens=_special_ids(specials),
        unk_token=specials["unk_token"],
    )
    _wrap_texts(unigram, template)
    tokenizer = (tokenizer_class or XLMRobertaTokenizerFast)(tokenizer_object=unigram, **(specials | kwargs))
    tokenizer.save_pretrained(directory)
    return tokenizer


def save_unigram_tokenizer(directory: Path, vocab_size: int = 300, tokenizer_class: Any = None) -> Any:
    """A SentencePiece-style Unigram tokenizer in T5's scheme: ``<pad>`` 0, ``</s>`` 1, ``<unk>`` 2, and every
    text gets ``</s>`` appended, as T5's tokenizer does."""
    # lazily: keeps `import onnxcore` light
    from transformers import T5TokenizerFast

    return save_sentencepiece_tokenizer(
        directory,
        vocab_size,
        tokenizer_class or T5TokenizerFast,
        special_tokens=T5_SPECIALS,
        template=("$A </s>", "$A </s> $B </s>"),
        extra_ids=0,
    )


WHISPER_SPECIALS = ("<|startoftranscript|>", "<|en|>", "<|transcribe|>", "<|translate|>", "<|notimestamps|>")


def save_whisper_processor(
    directory: Path, num_mel_bins: int = 80, chunk_length: int = 30, vocab_size: int = 400
) -> Any:
    """A Whisper processor: a real feature extractor (``chunk_length`` seconds at 16 kHz, so
    ``chunk_length * 100`` frames) and a byte-level BPE tokenizer with Whisper's special tokens after
    ``<|endoftext|>`` (id 0: eos and pad)."""
    # lazily: keeps `import onnxcore` light
    from transformers import WhisperFeatureExtractor, WhisperProcessor, WhisperTokenizerFast

    directory = Path(directory)
    tokenizer = save_byte_level_bpe_tokenizer(directory, vocab_size=vocab_size, tokenizer_class=WhisperTokenizerFast)
    tokenizer.add_special_tokens({"additional_special_tokens": list(WHISPER_SPECIALS)})
    feature_extractor = WhisperFeatureExtractor(feature_size=num_mel_bins, chunk_length=chunk_length)
    processor = WhisperProcessor(feature_extractor=feature_extractor, tokenizer=tokenizer)
    processor.save_pretrained(directory)
    return processor


def save_pt_and_tf(source: Path, feature: str, target: Path, seed: int = 0) -> tuple[Path, Path]:
    """``source`` with ``feature``'s head, saved twice with the same weights: PyTorch in ``target/pt``, and
    converted to TensorFlow by transformers in ``target/tf`` (``tf_model.h5`` only, so ``determine_framework``
    picks TensorFlow). Head weights the source lacks are drawn once, in PyTorch, from ``seed``. Both folders get
    the source's preprocessor files."""
    source, target = Path(source), Path(target)
    pt_folder, tf_folder = target / "pt", target / "tf"
    model_type = checkpoint_model_type(str(source))
    with PYTORCH.ops.seeded(seed):
        load_for_feature(feature, str(source), "pt", model_type=model_type).save_pretrained(pt_folder)
    load_for_feature(feature, str(pt_folder), "tf", model_type=model_type).save_pretrained(tf_folder)
    for path in source.iterdir():
        if path.is_file() and path.name not in (*PT_WEIGHT_FILES, *TF_WEIGHT_FILES, "config.json"):
            for folder in (pt_folder, tf_folder):
                if not (folder / path.name).exists():
                    shutil.copy(path, folder / path.name)
    return pt_folder, tf_folder
