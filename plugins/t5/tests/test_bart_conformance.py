"""The BART-shaped models through onnxcore's conformance suite, each with the tokenizer kind its checkpoints ship.

Every tiny config has more encoder than decoder heads or layers, or the reverse, so that a cache sized from the
wrong side fails; ``init_std`` is wide enough that greedy tokens vary (the generation check must see real tokens).
"""

from __future__ import annotations

from pathlib import Path

from t5_bart_tokenizers import save_blenderbot_small_tokenizer, save_marian_tokenizer
from transformers import (
    BartConfig,
    BartTokenizerFast,
    BlenderbotConfig,
    BlenderbotSmallConfig,
    BlenderbotTokenizerFast,
    MarianConfig,
    MBartConfig,
    MBartTokenizerFast,
    PretrainedConfig,
)

from onnxcore.testing.checkpoints import FAIRSEQ_SPECIALS, save_bpe_tokenizer, save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

BART_VOCAB = 300
MBART_TRAINED_VOCAB = 200  # the words make about 106 pieces; MBartTokenizerFast adds 52 language codes
MBART_VOCAB = 160
BLENDERBOT_VOCAB = 272  # a byte-level BPE has at least 256 bytes + 5 specials
MARIAN_VOCAB = 120
BLENDERBOT_SMALL_VOCAB = 300


FAIRSEQ_IDS = dict(bos_token_id=0, pad_token_id=1, eos_token_id=2)  # the kit's BPE and Unigram: <s> <pad> </s>


def bart_shaped(
    config_class: type[PretrainedConfig],
    layers: tuple[int, int],
    heads: tuple[int, int],
    ffn: int,
    **settings: object,
) -> PretrainedConfig:
    """A tiny config of ``config_class``: (encoder, decoder) ``layers`` and ``heads``, feed-forward width ``ffn``,
    learned positions for the
    generation prompts, no forced eos (greedy tokens are compared as they come)."""
    common: dict[str, object] = dict(
        encoder_layers=layers[0],
        decoder_layers=layers[1],
        encoder_attention_heads=heads[0],
        decoder_attention_heads=heads[1],
        encoder_ffn_dim=ffn,
        decoder_ffn_dim=ffn,
        max_position_embeddings=64,
        init_std=0.2,
        forced_eos_token_id=None,
    )
    return config_class(**(common | settings))


def tiny_bart_config(**overrides: object) -> PretrainedConfig:
    """3 encoder and 4 decoder heads of a 48-wide model, 2 encoder layers and 1 decoder layer; BART's ids: bos 0,
    pad 1, eos 2 (also the decoder start). 96 positions: the byte-level BPE spells the prompts in 45 tokens."""
    ids = FAIRSEQ_IDS | dict(decoder_start_token_id=2)
    return bart_shaped(
        BartConfig,
        (2, 1),
        (3, 4),
        40,
        vocab_size=BART_VOCAB,
        d_model=48,
        max_position_embeddings=96,
        **ids,
        **overrides,
    )


def tiny_mbart_config(**overrides: object) -> PretrainedConfig:
    """2 encoder and 3 decoder heads of a 36-wide model, 2 encoder layers and 1 decoder layer; mBART's ids (as
    BART's) and room for the tokenizer's language codes."""
    ids = FAIRSEQ_IDS | dict(decoder_start_token_id=2)
    return bart_shaped(MBartConfig, (2, 1), (2, 3), 32, vocab_size=MBART_VOCAB, d_model=36, **ids, **overrides)


def tiny_blenderbot_config(**overrides: object) -> PretrainedConfig:
    """4 encoder and 2 decoder heads of a 16-wide model, 3 encoder and 2 decoder layers; the tokenizer's ids, bos
    also the decoder start."""
    ids = FAIRSEQ_IDS | dict(decoder_start_token_id=0)
    return bart_shaped(
        BlenderbotConfig,
        (3, 2),
        (4, 2),
        24,
        vocab_size=BLENDERBOT_VOCAB,
        d_model=16,
        max_position_embeddings=96,
        **ids,
        **overrides,
    )


def tiny_marian_config(**overrides: object) -> PretrainedConfig:
    """4 encoder and 2 decoder heads of a 32-wide model, 2 encoder layers and 1 decoder layer; Marian's ids:
    eos 0, pad the last id and the decoder start, as opus-mt checkpoints have them."""
    ids = dict(eos_token_id=0, pad_token_id=MARIAN_VOCAB - 1, decoder_start_token_id=MARIAN_VOCAB - 1)
    return bart_shaped(MarianConfig, (2, 1), (4, 2), 40, vocab_size=MARIAN_VOCAB, d_model=32, **ids, **overrides)


def tiny_blenderbot_small_config(**overrides: object) -> PretrainedConfig:
    """2 encoder and 4 decoder heads of a 40-wide model, 2 encoder layers and 1 decoder layer; ids of
    ``facebook/blenderbot_small-90M``: pad 0, bos and decoder start 1, eos 2.

    Not more decoder than encoder layers: transformers 4.57's ``generate()`` of a ``...ForCausalLM`` of this family
    sizes its cache by ``num_hidden_layers``, which is ``encoder_layers``, and fails (IndexError in
    ``DynamicCache.update``) on a deeper decoder; see docs/index.md, Known limitations."""
    ids = dict(pad_token_id=0, bos_token_id=1, eos_token_id=2, decoder_start_token_id=1)
    return bart_shaped(
        BlenderbotSmallConfig, (2, 1), (2, 4), 48, vocab_size=BLENDERBOT_SMALL_VOCAB, d_model=40, **ids, **overrides
    )


#: The classification heads of BART, mBART and BigBird-Pegasus pick each row's last ``</s>`` by data: torch.export
#: cannot trace that.
CLASSIFICATION_DYNAMO = {
    ("sequence-classification", "dynamo"): (
        "torch.export cannot trace the classification head: it checks `len(torch.unique_consecutive("
        "eos_mask.sum(1))) > 1` (GuardOnDataDependentSymNode: Could not extract specialized integer from"
        " data-dependent expression u0) and indexes the hidden states by the eos mask"
    )
}


class TestBartConformance(ConformanceSuite):
    model_type = "bart"
    distribution = "onnxcore-t5"
    export_xfail = CLASSIFICATION_DYNAMO

    def tiny_config(self) -> PretrainedConfig:
        return tiny_bart_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_bpe_tokenizer(directory, vocab_size=BART_VOCAB, tokenizer_class=BartTokenizerFast)


class TestMBartConformance(ConformanceSuite):
    model_type = "mbart"
    distribution = "onnxcore-t5"
    export_xfail = CLASSIFICATION_DYNAMO

    def tiny_config(self) -> PretrainedConfig:
        return tiny_mbart_config()

    def save_preprocessor(self, directory: Path) -> None:
        """mBART's Unigram tokenizer: ``MBartTokenizerFast`` appends ``</s>`` and the source language code."""
        tokenizer = save_sentencepiece_tokenizer(
            directory,
            vocab_size=MBART_TRAINED_VOCAB,
            tokenizer_class=MBartTokenizerFast,
            template=None,
            src_lang="en_XX",
            tgt_lang="ro_RO",
        )
        assert len(tokenizer) <= MBART_VOCAB, len(tokenizer)


class TestBlenderbotConformance(ConformanceSuite):
    model_type = "blenderbot"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> PretrainedConfig:
        return tiny_blenderbot_config()

    def save_preprocessor(self, directory: Path) -> None:
        """Blenderbot's byte-level BPE appends ``</s>`` only."""
        tokenizer = save_bpe_tokenizer(
            directory,
            vocab_size=BLENDERBOT_VOCAB - 4,
            tokenizer_class=BlenderbotTokenizerFast,
            special_tokens=FAIRSEQ_SPECIALS | {"mask_token": "<mask>"},
            template=("$A </s>", "$A </s> $B </s>"),
        )
        assert len(tokenizer) <= BLENDERBOT_VOCAB, len(tokenizer)  # the class adds <mask> once more


class TestMarianConformance(ConformanceSuite):
    model_type = "marian"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> PretrainedConfig:
        return tiny_marian_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_marian_tokenizer(directory, vocab_size=MARIAN_VOCAB)


class TestBlenderbotSmallConformance(ConformanceSuite):
    model_type = "blenderbot-small"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> PretrainedConfig:
        return tiny_blenderbot_small_config()

    def save_preprocessor(self, directory: Path) -> None:
        save_blenderbot_small_tokenizer(directory, vocab_size=BLENDERBOT_SMALL_VOCAB)
