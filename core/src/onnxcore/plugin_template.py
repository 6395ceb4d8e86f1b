"""``onnxcore new-plugin``: the skeleton of a plugin distribution, with its conformance test.

The author fills in two places, each marked ``TODO`` and raising ``NotImplementedError`` until then: the
config's ``inputs`` and the test's ``tiny_config``. Everything else (packaging, entry point, hook, suite)
works as written. ``--kind`` picks the base class, the features and the hints: an encoder (``OnnxConfig``), a
decoder with a cache (``OnnxConfigWithPast``) or an encoder-decoder (``OnnxSeq2SeqConfigWithPast``).
Names may have hyphens, as model types and pip distributions do: ``xlm-roberta`` makes the distribution
``onnxcore-xlm-roberta`` and the package ``onnxcore_xlm_roberta``.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from .errors import OutputPathError, UsageError

_NAME = re.compile(r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$")
_MODEL_TYPE = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclasses.dataclass(frozen=True)
class Kind:
    """What differs between the skeletons of an encoder, a decoder and an encoder-decoder."""

    base: str
    features: str
    inputs_hint: str
    config_hint: str
    tokenizer_hint: tuple[str, str]  # a builder of onnxcore.testing.checkpoints, and its call's arguments


KINDS = {
    "encoder": Kind(
        base="OnnxConfig",
        features='("default",)  # add e.g. "masked-lm", "sequence-classification", "question-answering"',
        inputs_hint="""\
        #   return OrderedDict((name, {{0: "batch", 1: "sequence"}}) for name in ("input_ids", "attention_mask"))""",
        config_hint="""\
        #   from onnxcore.testing.checkpoints import wordpiece_vocabulary
        #   return AutoConfig.for_model("{model_type}", vocab_size=len(wordpiece_vocabulary()), hidden_size=32,
        #                               num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
        #                               max_position_embeddings=64)""",
        tokenizer_hint=("save_wordpiece_tokenizer", "(directory)  # or save_bpe_tokenizer, ..."),
    ),
    "decoder": Kind(
        base="OnnxConfigWithPast",
        features='("default", "causal-lm", "causal-lm-with-past")',
        inputs_hint="""\
        #   common = OrderedDict(input_ids={{0: "batch", 1: "sequence"}})
        #   if self.use_past:
        #       self.fill_with_past_key_values_(common, direction="inputs")
        #       common["attention_mask"] = {{0: "batch", 1: "past_sequence + sequence"}}
        #   else:
        #       common["attention_mask"] = {{0: "batch", 1: "sequence"}}
        #   return common""",
        config_hint="""\
        #   return AutoConfig.for_model("{model_type}", vocab_size=400, hidden_size=32, num_hidden_layers=2,
        #                               num_attention_heads=4, intermediate_size=37, max_position_embeddings=64,
        #                               bos_token_id=0, eos_token_id=0, pad_token_id=0)""",
        tokenizer_hint=("save_byte_level_bpe_tokenizer", "(directory, vocab_size=400)  # <|endoftext|> is id 0"),
    ),
    "encoder-decoder": Kind(
        base="OnnxSeq2SeqConfigWithPast",
        features='("default", "seq2seq-lm", "seq2seq-lm-with-past")',
        inputs_hint="""\
        #   common = OrderedDict(
        #       input_ids={{0: "batch", 1: "encoder_sequence"}}, attention_mask={{0: "batch", 1: "encoder_sequence"}}
        #   )
        #   if self.use_past:  # one new decoder token per step, the cache of the earlier ones
        #       common["decoder_input_ids"] = {{0: "batch"}}
        #       self.fill_with_past_key_values_(common, direction="inputs")
        #   else:
        #       common["decoder_input_ids"] = {{0: "batch", 1: "decoder_sequence"}}
        #   return common""",
        config_hint="""\
        #   (every size that defaults to a full model's: BART's are 12+12 layers and a 50k vocabulary)
        #   return AutoConfig.for_model("{model_type}", vocab_size=400, d_model=32, encoder_layers=2,
        #                               decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
        #                               encoder_ffn_dim=37, decoder_ffn_dim=37, max_position_embeddings=64,
        #                               bos_token_id=0, pad_token_id=1, eos_token_id=2, decoder_start_token_id=2)""",
        tokenizer_hint=("save_bpe_tokenizer", "(directory, vocab_size=400)  # <s> 0, <pad> 1, </s> 2: BART's"),
    ),
}

FILES = {
    "pyproject.toml": """\
[build-system]
requires = ["hatchling>=1.18"]
build-backend = "hatchling.build"

[project]
name = "{distribution}"
version = "0.1.0"
description = "onnxcore plugin: ONNX export of {model_type} models."
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["onnxcore>=0.1,<0.2"]

[project.optional-dependencies]
test = ["pytest>=8"]

[project.entry-points.onnxcore]
{module} = "{package}.plugin"

[tool.hatch.build.targets.wheel]
packages = ["src/{package}"]
""",
    "README.md": """\
# {distribution}

onnxcore plugin: ONNX export of `{model_type}` models.

```sh
pip install -e ".[test]"
python -m onnxcore features {model_type}
pytest tests
python -m onnxcore export -m path/to/checkpoint out/
```
""",
    "src/{package}/__init__.py": '''\
"""onnxcore plugin for {model_type}."""

from .config import {config_class}

__all__ = ["{config_class}"]
''',
    "src/{package}/config.py": '''\
"""The ONNX contract of {model_type}: the graph's inputs (outputs come from the task)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping

from onnxcore import {base}


class {config_class}({base}):
    """Inputs of {model_type} in the order the graph takes them, with their dynamic axes (docs/plugins.md)."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        # TODO: the model's inputs in forward()'s order, e.g.
{inputs_hint}
        raise NotImplementedError("fill in {config_class}.inputs in src/{package}/config.py")
''',
    "src/{package}/plugin.py": '''\
"""Registers {model_type} with onnxcore. Imports nothing heavy: only onnxcore and the config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import {config_class}

FEATURES = {features}


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """{model_type} and the features it exports."""
    register("{model_type}", {config_class}, FEATURES)
''',
    "tests/test_{module}_conformance.py": '''\
"""{model_type} through onnxcore's conformance suite: every registered feature, both exporters (and TF where
installed), validation, generation for generative features."""

from __future__ import annotations

from typing import Any

from onnxcore.testing.conformance import ConformanceSuite


class Test{camel}Conformance(ConformanceSuite):
    model_type = "{model_type}"
    distribution = "{distribution}"

    def tiny_config(self) -> Any:
        # TODO: a small config of the model type: a few layers and heads, hidden size ~32, a vocabulary the size of
        # the test tokenizer's, e.g.
        #   from transformers import AutoConfig
{config_hint}
        raise NotImplementedError("fill in tiny_config in tests/test_{module}_conformance.py")

    # A real tokenizer (or image processor, feature extractor) of the kind the model uses; without one the suite
    # makes inputs from the config alone. onnxcore.testing.checkpoints builds them offline, e.g.
    # def save_preprocessor(self, directory: Path) -> None:
    #     from onnxcore.testing.checkpoints import {tokenizer_builder}
    #     {tokenizer_builder}{tokenizer_arguments}
''',
}


def create_plugin(name: str, directory: Path, model_type: str | None = None, kind: str = "encoder") -> Path:
    """Write the skeleton of ``onnxcore-<name>`` into ``directory/onnxcore-<name>``; returns that folder."""
    if not _NAME.match(name):
        raise UsageError(
            f"plugin name {name!r} must be lowercase letters and digits, words joined by - or _ (e.g. 'xlm-roberta')."
        )
    if model_type is not None and not _MODEL_TYPE.match(model_type):
        raise UsageError(f"model type {model_type!r} must be lowercase letters, digits, - and _ (e.g. 'xlm-roberta').")
    if kind not in KINDS:
        raise UsageError(f"unknown plugin kind {kind!r}; choose one of {', '.join(KINDS)}.")
    module = name.replace("-", "_")
    distribution = f"onnxcore-{name.replace('_', '-')}"
    target = Path(directory) / distribution
    if target.exists():
        raise OutputPathError(f"{target} already exists; pick another --directory or remove it.")
    camel = "".join(part.capitalize() for part in re.split(r"[-_\d]+", name) if part) or "Plugin"
    values = {
        "name": name,
        "module": module,
        "model_type": model_type or name,
        "distribution": distribution,
        "package": f"onnxcore_{module}",
        "camel": camel,
        "config_class": f"{camel}OnnxConfig",
    }
    template = KINDS[kind]
    values |= {
        "base": template.base,
        "features": template.features,
        "inputs_hint": template.inputs_hint.format(**values),
        "config_hint": template.config_hint.format(**values),
        "tokenizer_builder": template.tokenizer_hint[0],
        "tokenizer_arguments": template.tokenizer_hint[1],
    }
    try:
        for relative, text in FILES.items():
            path = target / relative.format(**values)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.format(**values))
    except OSError as exc:
        raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}; pick another --directory.") from exc
    return target
