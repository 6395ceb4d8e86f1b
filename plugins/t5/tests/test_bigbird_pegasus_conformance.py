"""BigBird-Pegasus through onnxcore's conformance suite: BART's contracts, the decoder alone for ``causal-lm``.

The encoder attends in full (``attention_type="original_full"``): block-sparse attention, which checkpoints
default to, is chosen in Python by input length (inputs up to ``(5 + 2 * num_random_blocks) * block_size``
tokens fall back to full attention), so an export traced on short example inputs computes full attention, and
differs from PyTorch on longer inputs (see docs/index.md, Known limitations)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from test_bart_conformance import CLASSIFICATION_DYNAMO
from transformers import BigBirdPegasusConfig, PegasusTokenizerFast, PreTrainedTokenizerFast

from onnxcore.testing.checkpoints import save_sentencepiece_tokenizer
from onnxcore.testing.conformance import ConformanceSuite

PIECES = 200
#: Pegasus' ids: ``<pad>`` 0, ``</s>`` 1, ``<mask_1>`` 2, ``<mask_2>`` 3, ``<unk>`` 4, then the pieces.
PEGASUS_SPECIALS = {
    "pad_token": "<pad>",
    "eos_token": "</s>",
    "mask_token_sent": "<mask_1>",
    "mask_token": "<mask_2>",
    "unk_token": "<unk>",
}
VOCAB_SIZE = 140


class TestBigBirdPegasusConformance(ConformanceSuite):
    model_type = "bigbird_pegasus"
    distribution = "onnxcore-t5"
    export_xfail = CLASSIFICATION_DYNAMO  # the same head as BART's

    def tiny_config(self) -> BigBirdPegasusConfig:
        """A 24-wide model, 2 encoder layers of 2 heads and 2 decoder layers of 3 heads, full attention; Pegasus'
        ids (pad 0, eos 1), the decoder starting from pad as Pegasus does. The head is untied: a random model whose
        head is its embedding repeats one token, and the generation check would prove little. As many encoder as
        decoder layers: ``generate()`` on ``BigBirdPegasusForCausalLM`` sizes its cache by ``num_hidden_layers``,
        which is ``encoder_layers``, and fails with fewer of them (a transformers 4.57 bug)."""
        return BigBirdPegasusConfig(
            vocab_size=VOCAB_SIZE,
            d_model=24,
            encoder_layers=2,
            decoder_layers=2,
            encoder_attention_heads=2,
            decoder_attention_heads=3,
            encoder_ffn_dim=20,
            decoder_ffn_dim=32,
            max_position_embeddings=64,
            attention_type="original_full",
            pad_token_id=0,
            eos_token_id=1,
            bos_token_id=2,
            decoder_start_token_id=0,
            tie_word_embeddings=False,
        )

    def save_preprocessor(self, directory: Path) -> None:
        """transformers 5's ``PegasusTokenizer`` ignores a ``tokenizers`` object and takes the Unigram's
        (piece, score) pairs instead; 4.57's takes the object."""
        takes_pieces = "vocab" in inspect.signature(PegasusTokenizerFast.__init__).parameters
        tokenizer = save_sentencepiece_tokenizer(
            directory,
            PIECES,
            PreTrainedTokenizerFast if takes_pieces else PegasusTokenizerFast,
            special_tokens=PEGASUS_SPECIALS,
            template=("$A </s>", "$A $B </s>"),
            offset=2,  # no <unk_2> ... <unk_102> pretraining tokens
        )
        if takes_pieces:
            pieces = json.loads(tokenizer.backend_tokenizer.to_str())["model"]["vocab"]
            tokenizer = PegasusTokenizerFast(vocab=[tuple(piece) for piece in pieces], offset=2)
            tokenizer.save_pretrained(directory)
        assert len(tokenizer) <= VOCAB_SIZE
