"""The contrib plugins, installed like any third-party plugin, from the CLI: listed by ``features`` and
``plugins --json``, and each exports and validates a checkpoint of its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import run_cli

CONTRIB = {
    "onnxcore-ernie": ("ernie = onnxcore_ernie.plugin", ["ernie"], ["register_onnx_configs"]),
    "onnxcore-llama": ("llama = onnxcore_llama.plugin", ["llama", "mistral", "qwen2"], ["register_onnx_configs"]),
    "onnxcore-wav2vec2": (
        "wav2vec2 = onnxcore_wav2vec2.plugin",
        ["wav2vec2"],
        ["register_onnx_configs", "register_tasks"],
    ),
}


def test_contrib_plugins_are_listed_like_any_other() -> None:
    plugins = {p["distribution"]: p for p in json.loads(run_cli("plugins", "--json").out)}
    for distribution, (entry_point, model_types, hooks) in CONTRIB.items():
        plugin = plugins[distribution]
        assert plugin["status"] == "ok" and plugin["version"] == "0.1.0" and not plugin["builtin"]
        assert plugin["entry_point"] == entry_point
        assert sorted(plugin["model_types"]) == model_types and sorted(plugin["hooks"]) == hooks
    features = json.loads(run_cli("features", "--json").out)
    listed = {(record["model_type"], record["distribution"]) for record in features}
    assert ("qwen2", "onnxcore-llama") in listed and ("ernie", "onnxcore-ernie") in listed
    assert {r["feature"] for r in features if r["model_type"] == "wav2vec2"} == {
        "default",
        "ctc",
        "audio-classification",
    }


def _llama(directory: Path) -> None:
    from transformers import LlamaConfig, LlamaForCausalLM

    from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer, save_random_model

    config = LlamaConfig(
        vocab_size=300,
        hidden_size=48,
        intermediate_size=96,
        num_hidden_layers=2,
        num_attention_heads=6,
        num_key_value_heads=3,
        max_position_embeddings=128,
        bos_token_id=0,
        eos_token_id=0,
        initializer_range=0.3,
    )
    save_random_model(directory, LlamaForCausalLM, config, seed=4)
    save_byte_level_bpe_tokenizer(directory, vocab_size=300)


def _ernie(directory: Path) -> None:
    """An ERNIE 3.0-style checkpoint: task type ids on, so the graph takes ``task_type_ids`` too."""
    from transformers import ErnieConfig, ErnieForSequenceClassification

    from onnxcore.testing.checkpoints import save_random_model, save_wordpiece_tokenizer, wordpiece_vocabulary

    config = ErnieConfig(
        vocab_size=len(wordpiece_vocabulary()),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=48,
        max_position_embeddings=80,
        use_task_id=True,
        task_type_vocab_size=3,
        num_labels=3,
    )
    save_random_model(directory, ErnieForSequenceClassification, config)
    save_wordpiece_tokenizer(directory)


def _wav2vec2(directory: Path) -> None:
    from transformers import Wav2Vec2Config, Wav2Vec2FeatureExtractor, Wav2Vec2ForCTC

    from onnxcore.testing.checkpoints import save_random_model

    config = Wav2Vec2Config(
        vocab_size=40,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=48,
        conv_dim=(16, 16),
        conv_stride=(5, 4),
        conv_kernel=(10, 8),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4,
    )
    save_random_model(directory, Wav2Vec2ForCTC, config)
    Wav2Vec2FeatureExtractor(sampling_rate=16000).save_pretrained(directory)


@pytest.mark.parametrize(
    ("make", "feature", "distribution", "generation"),
    [
        (_llama, "causal-lm-with-past", "onnxcore-llama", True),
        (_ernie, "sequence-classification", "onnxcore-ernie", False),
        (_wav2vec2, "ctc", "onnxcore-wav2vec2", False),
    ],
    ids=["llama", "ernie", "wav2vec2"],
)
def test_contrib_plugin_exports_from_the_cli(
    tmp_path: Path, make: Any, feature: str, distribution: str, generation: bool
) -> None:
    make(tmp_path / "checkpoint")
    run = run_cli("export", "-m", str(tmp_path / "checkpoint"), "--feature", feature, str(tmp_path / "out"))
    assert run.code == 0, run.err
    manifest = json.loads((tmp_path / "out" / "onnxcore.json").read_text())
    assert manifest["plugin"]["distribution"] == distribution and manifest["validation"]["model.onnx"]["ok"]
    assert (manifest.get("generation") or {}).get("ok", False) == generation
