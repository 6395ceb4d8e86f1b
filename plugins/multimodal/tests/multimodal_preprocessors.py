"""Real tokenizers of the kinds the multimodal models use, trained offline on the kit's word list."""

from __future__ import annotations

from typing import Any

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import CLIPTokenizerFast

from onnxcore.testing.checkpoints import WORDS

CLIP_BOS, CLIP_EOS = "<|startoftext|>", "<|endoftext|>"
# CLIP's pre-tokenizer split: contractions, letter runs, single digits, other symbol runs
CLIP_SPLIT = r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+"""


def clip_tokenizer(vocab_size: int = 300) -> Any:
    """A CLIP BPE tokenizer: lowercased, byte-level, ``</w>`` ends a word, ``<|startoftext|>`` and
    ``<|endoftext|>`` the last two ids (as in CLIP's vocabulary, where OWL-ViT pools at the highest id);
    ``<|endoftext|>`` is eos, unk and pad. ``vocab_size`` counts the two specials."""
    bpe = Tokenizer(models.BPE(continuing_subword_prefix="", end_of_word_suffix="</w>"))
    bpe.normalizer = normalizers.Sequence(
        [normalizers.NFC(), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Lowercase()]
    )
    bpe.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(CLIP_SPLIT), behavior="removed", invert=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size - 2,
        min_frequency=1,
        end_of_word_suffix="</w>",
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    sentences = [" ".join(WORDS[i : i + 12]) for i in range(0, len(WORDS), 6)]
    bpe.train_from_iterator(sentences, trainer=trainer)
    bpe.add_special_tokens([CLIP_BOS, CLIP_EOS])
    # sep and cls by position: tokenizers 0.22 (transformers 5) no longer takes them by name
    sep, cls = (CLIP_EOS, bpe.token_to_id(CLIP_EOS)), (CLIP_BOS, bpe.token_to_id(CLIP_BOS))
    bpe.post_processor = processors.RobertaProcessing(sep, cls, trim_offsets=False, add_prefix_space=False)
    return CLIPTokenizerFast(
        tokenizer_object=bpe, bos_token=CLIP_BOS, eos_token=CLIP_EOS, unk_token=CLIP_EOS, pad_token=CLIP_EOS
    )
