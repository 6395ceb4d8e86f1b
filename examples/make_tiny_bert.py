"""Rebuild examples/tiny-bert: a 2-layer BERT with random weights (seed 0) and a real WordPiece tokenizer.

python examples/make_tiny_bert.py
"""

from __future__ import annotations

from pathlib import Path

from transformers import BertConfig, BertModel

from onnxcore.testing.checkpoints import save_random_model, save_wordpiece_tokenizer

TARGET = Path(__file__).parent / "tiny-bert"


def main() -> None:
    tokenizer = save_wordpiece_tokenizer(TARGET)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=37,
        max_position_embeddings=128,
        architectures=["BertModel"],
    )
    save_random_model(TARGET, BertModel, config)


if __name__ == "__main__":
    main()
