"""``onnxcore new-plugin``: the skeleton of a plugin distribution, with its conformance test.

The author fills in two places, each marked ``TODO`` and raising ``NotImplementedError`` until then: the
config's ``inputs`` and the test's ``tiny_config``. Everything else (packaging, entry point, hook, suite)
works as written.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import OutputPathError, UsageError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MODEL_TYPE = re.compile(r"^[a-z][a-z0-9_-]*$")

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
{name} = "{package}.plugin"

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

from onnxcore import OnnxConfig


class {config_class}(OnnxConfig):
    """Inputs of {model_type} in the order the graph takes them, with their dynamic axes.

    Decoders subclass ``OnnxConfigWithPast``, encoder-decoders ``OnnxSeq2SeqConfigWithPast`` (docs/plugins.md).
    """

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        # TODO: the model's inputs, e.g. for a BERT-like encoder:
        #   return OrderedDict((name, {{0: "batch", 1: "sequence"}}) for name in ("input_ids", "attention_mask"))
        raise NotImplementedError("fill in {config_class}.inputs in src/{package}/config.py")
''',
    "src/{package}/plugin.py": '''\
"""Registers {model_type} with onnxcore. Imports nothing heavy: only onnxcore and the config classes."""

from __future__ import annotations

from onnxcore import hookimpl
from onnxcore.registry import ConfigRegistrar

from .config import {config_class}

# the features the config supports: add e.g. "sequence-classification", "causal-lm-with-past"
FEATURES = ("default",)


@hookimpl
def register_onnx_configs(register: ConfigRegistrar) -> None:
    """{model_type} and the features it exports."""
    register("{model_type}", {config_class}, FEATURES)
''',
    "tests/test_{name}_conformance.py": '''\
"""{model_type} through onnxcore's conformance suite: every registered feature, both exporters (and TF where
installed), validation, generation for generative features."""

from __future__ import annotations

from typing import Any

from onnxcore.testing.conformance import ConformanceSuite


class Test{camel}Conformance(ConformanceSuite):
    model_type = "{model_type}"
    distribution = "{distribution}"

    def tiny_config(self) -> Any:
        # TODO: a small config of the model type (2 layers, hidden size ~32), e.g.
        #   from transformers import AutoConfig
        #   return AutoConfig.for_model("{model_type}", num_hidden_layers=2, hidden_size=32, num_attention_heads=4)
        raise NotImplementedError("fill in tiny_config in tests/test_{name}_conformance.py")

    # Optional: write real tokenizer/processor files (onnxcore.testing.checkpoints has helpers):
    # def save_preprocessor(self, directory): ...
''',
}


def create_plugin(name: str, directory: Path, model_type: str | None = None) -> Path:
    """Write the skeleton of ``onnxcore-<name>`` into ``directory/onnxcore-<name>``; returns that folder."""
    if not _NAME.match(name):
        raise UsageError(f"plugin name {name!r} must be lowercase letters, digits and _ (e.g. 'myarch').")
    if model_type is not None and not _MODEL_TYPE.match(model_type):
        raise UsageError(f"model type {model_type!r} must be lowercase letters, digits, - and _ (e.g. 'xlm-roberta').")
    distribution = f"onnxcore-{name.replace('_', '-')}"
    target = Path(directory) / distribution
    if target.exists():
        raise OutputPathError(f"{target} already exists; pick another --directory or remove it.")
    camel = "".join(part.capitalize() for part in re.split(r"[_\d]+", name) if part) or "Plugin"
    values = {
        "name": name,
        "model_type": model_type or name,
        "distribution": distribution,
        "package": f"onnxcore_{name}",
        "camel": camel,
        "config_class": f"{camel}OnnxConfig",
    }
    try:
        for relative, text in FILES.items():
            path = target / relative.format(**values)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text.format(**values))
    except OSError as exc:
        raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}; pick another --directory.") from exc
    return target
