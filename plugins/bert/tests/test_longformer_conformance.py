"""Longformer through onnxcore's conformance suite, with a byte-level BPE (Longformer's own tokenizer class)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from transformers import LongformerConfig, LongformerTokenizerFast

from onnxcore.testing.checkpoints import save_bpe_tokenizer
from onnxcore.testing.conformance import ConformanceSuite
from onnxcore.testing.exports import export_once

VOCAB_SIZE = 340
FEATURES = (
    "default",
    "masked-lm",
    "multiple-choice",
    "question-answering",
    "sequence-classification",
    "token-classification",
)
DYNAMO = (
    "torch.export cannot trace Longformer: LongformerEncoder.forward branches on"
    " `is_index_global_attn.flatten().any().item()` (GuardOnDataDependentSymNode: Could not guard on"
    " data-dependent expression Eq(u0, 1), modeling_longformer.py:553 `if is_global_attn:`)"
)


class TestLongformerConformance(ConformanceSuite):
    model_type = "longformer"
    distribution = "onnxcore-bert"
    export_xfail = {(feature, "dynamo"): DYNAMO for feature in FEATURES}

    def tiny_config(self) -> LongformerConfig:
        # A window of 6 tokens: the export's 8 tokens are padded to a multiple of it, as any short input is with
        # real 512-token windows, so the traced graph pads; sliding-window attention actually slides.
        return LongformerConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=24,
            num_hidden_layers=1,  # its TorchScript export takes ~10x BERT's per layer
            num_attention_heads=2,
            intermediate_size=32,
            attention_window=6,
            max_position_embeddings=80,
            bos_token_id=0,
            pad_token_id=1,
            eos_token_id=2,
        )

    def save_preprocessor(self, directory: Path) -> None:
        save_bpe_tokenizer(directory, vocab_size=VOCAB_SIZE, tokenizer_class=LongformerTokenizerFast)

    def test_other_lengths(self, checkpoints: dict[str, Path], tmp_path_factory: Any) -> None:
        """The exported graph at lengths that pad to other multiples of the window than the export's and
        validation's (both 12), with other global tokens: the numbers must still match PyTorch's."""
        import onnxruntime
        import torch
        from transformers import AutoModel

        directory = self.checkpoint("default", checkpoints, tmp_path_factory)
        session = onnxruntime.InferenceSession(
            str(export_once(directory, "default", self.exporters[0]).output / "model.onnx")
        )
        model = AutoModel.from_pretrained(directory).eval()
        rng = np.random.default_rng(0)
        for batch, length in ((1, 20), (2, 25)):
            inputs = {
                "input_ids": rng.integers(5, VOCAB_SIZE, size=(batch, length)),
                "attention_mask": np.ones((batch, length), dtype=np.int64),
                "global_attention_mask": (rng.random((batch, length)) < 0.2).astype(np.int64),
            }
            inputs["global_attention_mask"][:, 0] = 1  # the first token attends globally, as Longformer's heads do
            with torch.no_grad():
                expected = model(**{name: torch.tensor(array) for name, array in inputs.items()}).last_hidden_state
            (hidden,) = session.run(["last_hidden_state"], inputs)
            assert np.abs(hidden - expected.numpy()).max() < 1e-4, (batch, length)
