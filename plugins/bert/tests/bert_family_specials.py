"""Special tokens and wrapping shared by this family's test tokenizers (not a test module)."""

from __future__ import annotations

#: How BERT-style tokenizers (ALBERT, BigBird, DeBERTa) wrap a text and a pair of texts.
BERT_TEMPLATE = ("[CLS] $A [SEP]", "[CLS] $A [SEP] $B [SEP]")
#: DeBERTa's (v1 and v2) special tokens in their vocabularies' order: [PAD] 0, [CLS] 1, [SEP] 2, [UNK] 3, then
#: [MASK]; [CLS] and [SEP] also serve as bos and eos.
DEBERTA_SPECIALS = {
    "pad_token": "[PAD]",
    "bos_token": "[CLS]",
    "cls_token": "[CLS]",
    "eos_token": "[SEP]",
    "sep_token": "[SEP]",
    "unk_token": "[UNK]",
    "mask_token": "[MASK]",
}
