"""mkdocs hook: write the generated reference pages before each build, so the site never drifts from the code.

- ``cli.md`` from the argument parser (``onnxcore.cli.build_parser``), one section per command;
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

Generated from the feature registry of the plugins installed where the docs were built (the five first-party
plugins); `python -m onnxcore features` lists what your installation has. Optimum task names are accepted as
synonyms (`text-classification` for `sequence-classification`, and so on).
"""


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


def feature_table() -> str:
    """One row per model type: its features, and the plugin distribution that registers them."""
    from onnxcore.plugins import get_host

    host = get_host()
    distributions = {info.name: info.distribution for info in host.plugins}
    rows = ["| model type | features | plugin |", "|---|---|---|"]
    for model_type in host.registry.model_types():
        registrations = host.registry.registrations(model_type)
        plugins = sorted({distributions.get(entry.plugin, entry.plugin) for e in registrations.values() for entry in e})
        features = ", ".join(f"`{feature}`" for feature in sorted(registrations))
        rows.append(f"| `{model_type}` | {features} | {', '.join(plugins)} |")
    return FEATURES_HEADER + "\n" + "\n".join(rows) + "\n"


def on_pre_build(config: Any, **_: Any) -> None:
    """mkdocs event: regenerate the pages in the docs folder."""
    docs = Path(config["docs_dir"])
    for name, text in (("cli.md", cli_reference()), ("features.md", feature_table())):
        if not (docs / name).is_file() or (docs / name).read_text() != text:
            (docs / name).write_text(text)
