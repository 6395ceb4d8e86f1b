"""M2M-100 through onnxcore's conformance suite, on BART's contract (sinusoidal positions, scaled embeddings).

The tokenizer is NLLB's fast one, which NLLB checkpoints (model type ``m2m_100``) ship: a SentencePiece Unigram
with fairseq's ids (``<s>`` 0, ``<pad>`` 1, ``</s>`` 2, ``<unk>`` 3), language codes as special tokens after the
pieces, and texts written ``eng_Latn A </s>``. M2M-100's own ``M2M100Tokenizer`` needs the ``sentencepiece``
package, which the test environments do not install."""

from __future__ import annotations

from pathlib import Path

from transformers import M2M100Config, NllbTokenizerFast

from onnxcore.testing.checkpoints import FAIRSEQ_SPECIALS, save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

PIECES = 120
#: The pieces, then NLLB's 202 language codes and ``<mask>``.
VOCAB_SIZE = 322


class TestM2M100Conformance(ConformanceSuite):
    model_type = "m2m_100"
    distribution = "onnxcore-t5"

    def tiny_config(self) -> M2M100Config:
        """A 20-wide model, 2 encoder layers of 4 heads and 1 decoder layer of 2 heads; fairseq's ids, and the
        decoder starting from ``</s>`` as M2M-100's does. The head is untied: a random model whose head is its
        embedding predicts the token it was fed, here ``</s>``, and the generation check would prove nothing."""
        return M2M100Config(
            vocab_size=VOCAB_SIZE,
            d_model=20,
            encoder_layers=2,
            decoder_layers=1,
            encoder_attention_heads=4,
            decoder_attention_heads=2,
            encoder_ffn_dim=24,
            decoder_ffn_dim=28,
            max_position_embeddings=64,
            bos_token_id=0,
            pad_token_id=1,
            eos_token_id=2,
            decoder_start_token_id=2,
            tie_word_embeddings=False,
        )

    def save_preprocessor(self, directory: Path) -> None:
        tokenizer = save_sentencepiece_tokenizer(
            directory,
            PIECES,
            NllbTokenizerFast,
            special_tokens=FAIRSEQ_SPECIALS | {"mask_token": "<mask>"},
            template=None,  # NllbTokenizerFast sets its own: the source language code, the text, </s>
            src_lang="eng_Latn",
            tgt_lang="fra_Latn",
        )
        assert len(tokenizer) == VOCAB_SIZE
