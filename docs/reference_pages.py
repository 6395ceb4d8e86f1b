"""mkdocs hook: write the generated reference pages before each build, so the site never drifts from the code.

- ``cli.md`` from the argument parser (``onnxcore.cli.build_parser``), one section per command;
- ``api.md`` from the public API's signatures and docstrings, so a reader of the repository (or of an installed
  package's docs folder) sees them without building the site;
- ``features.md`` from the feature registry of the installed plugins.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

CLI_HEADER = """# CLI reference

Generated from the argument parser (`onnxcore.cli.build_parser`) when the docs are built; `tests/test_docs.py`
checks that every flag is here.
"""

FEATURES_HEADER = """# Features per model type

Generated from the feature registry of the plugins installed where the docs were built (the six first-party
plugins); `python -m onnxcore features` lists what your installation has. A model type is written as
transformers.onnx keyed it, with the config's `model_type` in brackets where that differs; either spelling works.
Every feature exports from PyTorch with each exporter listed; the TensorFlow column lists the features transformers
has a TensorFlow class for (4.x only: transformers 5 has none); `--layout split` writes the encoder and decoders
apart for the generation features listed. Optimum task names are accepted as synonyms (`text-classification` for
`sequence-classification`, and so on).
"""


API_HEADER = """# Python API

Generated from the code (signatures and docstrings) when the docs are built; `tests/test_docs.py` checks that this
page is current. The names and signatures are those of `transformers.onnx` v4.57 (see
[compatibility](compatibility.md)), plus onnxcore's pipeline, which the CLI uses, and the conformance kit plugins
test with. `import onnxcore` is light: torch and transformers load only when an export needs them. A plugin's
config overrides `inputs` (and where its model needs it `outputs`, `default_onnx_opset`, `atol_for_validation`,
`values_override`) and, for inputs core cannot make, `generate_dummy_inputs` and `generate_validation_inputs`;
`PatchingSpec` swaps a function for the export only.
"""

#: (section, objects by dotted path) of the API page, in reading order.
API_SECTIONS = (
    (
        "Configs",
        (
            "onnxcore.config.OnnxConfig",
            "onnxcore.config.OnnxConfigWithPast",
            "onnxcore.config.OnnxSeq2SeqConfigWithPast",
            "onnxcore.config.PatchingSpec",
        ),
    ),
    ("Registry", ("onnxcore.features.FeaturesManager", "onnxcore.registry.ConfigRegistrar")),
    ("Export and validation", ("onnxcore.exporters.export", "onnxcore.validate.validate_model_outputs")),
    (
        "Pipeline",
        (
            "onnxcore.pipeline.ExportRequest",
            "onnxcore.pipeline.run_export",
            "onnxcore.pipeline.run_exports",
            "onnxcore.pipeline.validate_export",
        ),
    ),
    (
        "Conformance kit",
        (
            "onnxcore.testing.conformance.ConformanceSuite",
            "onnxcore.testing.checkpoints.save_random_model",
            "onnxcore.testing.checkpoints.save_wordpiece_tokenizer",
            "onnxcore.testing.checkpoints.save_bpe_tokenizer",
            "onnxcore.testing.checkpoints.save_byte_level_bpe_tokenizer",
            "onnxcore.testing.checkpoints.save_sentencepiece_tokenizer",
            "onnxcore.testing.checkpoints.save_unigram_tokenizer",
            "onnxcore.testing.checkpoints.save_whisper_processor",
            "onnxcore.testing.exports.export_once",
        ),
    ),
)


def _resolve(path: str) -> Any:
    import importlib

    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


class _Annotation(str):
    """An annotation as written in the source (``from __future__ import annotations`` keeps them as text), shown
    without the quotes ``inspect`` would put around a string."""

    def __repr__(self) -> str:
        return str(self)


def _signature(value: Any, method: bool = False) -> str:
    """``value``'s signature with its annotations as written; a method's without ``self`` or ``cls``."""
    import inspect

    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return "(...)"
    parameters = list(signature.parameters.values())
    if method and parameters and parameters[0].name in ("self", "cls"):
        parameters = parameters[1:]

    def plain(annotation: Any) -> Any:
        return _Annotation(annotation) if isinstance(annotation, str) else annotation

    def shown(default: Any) -> Any:  # a function's repr names its address, which changes every run
        return _Annotation("lambda message: None") if inspect.isfunction(default) else default

    parameters = [
        parameter.replace(annotation=plain(parameter.annotation), default=shown(parameter.default))
        for parameter in parameters
    ]
    return str(signature.replace(parameters=parameters, return_annotation=plain(signature.return_annotation)))


def _doc(value: Any) -> str:
    import inspect

    return inspect.getdoc(value) or ""


def _members(cls: type) -> list[str]:
    """Public members a class defines or inherits from onnxcore, in source order: signature and first line."""
    import inspect

    lines, seen = [], set()
    for owner in cls.__mro__:
        if not owner.__module__.startswith("onnxcore"):
            continue
        for name, member in vars(owner).items():
            if name in seen or (name.startswith("_") and name != "__init__") or name == "__init__":
                continue
            seen.add(name)
            if isinstance(member, property):
                head, doc = f"`{name}` (property)", _doc(member)
            elif isinstance(member, (staticmethod, classmethod)) or inspect.isfunction(member):
                function = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
                head, doc = f"`{name}{_signature(function, method=True)}`", _doc(function)
            else:
                continue
            first = doc.split("\n\n")[0].replace("\n", " ")
            lines.append(
                f"- {head}" + (f": {first}" if first else "") + (f" *({owner.__name__})*" if owner is not cls else "")
            )
    return lines


def api_reference() -> str:
    """Every public object's signature and docstring, and for classes their members."""
    import inspect

    import onnxcore

    parts = [API_HEADER]
    for section, paths in API_SECTIONS:
        parts.append(f"## {section}\n")
        for path in paths:
            value = _resolve(path)
            protocol = getattr(value, "_is_protocol", False)  # a callable protocol: what a hook calls it with
            signature = _signature(vars(value)["__call__"], method=True) if protocol else _signature(value)
            public = f"onnxcore.{path.rpartition('.')[2]}" if hasattr(onnxcore, path.rpartition(".")[2]) else path
            parts.append(f"### `{public}{signature}`\n")
            if _doc(value):
                parts.append(_doc(value) + "\n")
            if inspect.isclass(value) and not protocol:
                members = _members(value)
                if members:
                    parts.append("\n".join(members) + "\n")
    return "\n".join(parts)


def cli_reference() -> str:
    """Every command's ``--help``, as the terminal shows it at 110 columns."""
    from onnxcore.cli import COMMANDS, build_parser

    sections = [CLI_HEADER]
    for command in ("", *COMMANDS):
        text = io.StringIO()
        os.environ["COLUMNS"] = "110"
        with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
            build_parser().parse_args([*([command] if command else []), "--help"])
        sections.append(f"## onnxcore{' ' + command if command else ''}\n\n```text\n{text.getvalue()}```\n")
    return "\n".join(sections)


def _tensorflow_model_types(auto_class: str) -> set[str]:
    """The model types transformers has a TF class for under ``auto_class``, read from the auto class's name
    table: the docs build has no TensorFlow, and without it the TF auto classes refuse attribute access."""
    try:
        import transformers.models.auto.modeling_tf_auto as modeling_tf_auto
    except ImportError:  # transformers 5 has no TensorFlow classes
        return set()
    mapping = type.__getattribute__(vars(modeling_tf_auto)[auto_class], "__dict__")["_model_mapping"]
    return set(mapping._model_mapping)


def feature_table() -> str:
    """One row per model type: its features, the exporters and frameworks they go through, the features with a
    split layout, and the plugin distribution that registers them."""
    from onnxcore.loading import config_model_types
    from onnxcore.plugins import get_host
    from onnxcore.seq2seq import applicable_layouts

    host = get_host()
    registry = host.registry
    distributions = {info.name: info.distribution for info in host.plugins}
    spellings = config_model_types()
    pytorch = ", ".join(exporter.name for exporter in registry.exporters_for("pt"))
    tensorflow = {
        name: _tensorflow_model_types(spec.tf_auto_model) for name, spec in registry.tasks.items() if spec.tf_auto_model
    }
    rows = [
        "| model type | features | PyTorch exporters | TensorFlow (tf2onnx) | `--layout split` | plugin |",
        "|---|---|---|---|---|---|",
    ]
    for model_type in registry.model_types():
        registrations = {feature: entries[0] for feature, entries in registry.registrations(model_type).items()}
        spelling = spellings.get(model_type, model_type)
        plugins = sorted(
            {
                distributions.get(entry.plugin, entry.plugin)
                for entries in registry.registrations(model_type).values()
                for entry in entries
            }
        )
        tf = [
            f
            for f, entry in sorted(registrations.items())
            if entry.tf_model_class or spelling in tensorflow.get(entry.task, set())
        ]
        split = [
            f
            for f, entry in sorted(registrations.items())
            if "split" in applicable_layouts(entry.onnx_config_cls, entry.task)
        ]
        name = f"`{model_type}`" + (f" (`{spelling}`)" if spelling != model_type else "")
        rows.append(
            f"| {name} | {_codes(registrations)} | {pytorch} | {_codes(tf) or '-'} | {_codes(split) or '-'}"
            f" | {', '.join(plugins)} |"
        )
    return FEATURES_HEADER + "\n" + "\n".join(rows) + "\n"


def _codes(names: Any) -> str:
    return ", ".join(f"`{name}`" for name in sorted(names))


def on_pre_build(config: Any, **_: Any) -> None:
    """mkdocs event: regenerate the pages in the docs folder."""
    docs = Path(config["docs_dir"])
    for name, text in (("cli.md", cli_reference()), ("api.md", api_reference()), ("features.md", feature_table())):
        if not (docs / name).is_file() or (docs / name).read_text() != text:
            (docs / name).write_text(text)
