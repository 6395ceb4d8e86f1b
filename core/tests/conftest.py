"""Core tests run with no installed plugins: only core's built-ins and throwaway plugins defined here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from throwaway import TextPlugin

from onnxcore.plugins import PluginHost, load_plugins, set_host


@pytest.fixture(autouse=True)
def no_installed_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ONNXCORE_LOAD_PLUGINS", "")
    set_host(None)
    yield
    set_host(None)


@pytest.fixture
def use_plugins() -> Iterator[object]:
    """Call with plugin objects to make them the process-wide plugins for one test."""

    def install(*plugins: object) -> PluginHost:
        host = load_plugins(extra_plugins=plugins)
        set_host(host)
        return host

    yield install


@pytest.fixture
def text_plugin(use_plugins) -> PluginHost:
    return use_plugins(TextPlugin())


@pytest.fixture(scope="session")
def tiny_bert(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny BERT checkpoint (random weights, seed 0) with a real WordPiece tokenizer."""
    from transformers import BertConfig, BertModel

    from onnxcore.testing.checkpoints import save_random_model, save_wordpiece_tokenizer

    directory = tmp_path_factory.mktemp("tiny-bert")
    tokenizer = save_wordpiece_tokenizer(directory)
    config = BertConfig(
        vocab_size=len(tokenizer), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=20
    )
    save_random_model(directory, BertModel, config)
    return directory
