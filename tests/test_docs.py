"""Docs meta-tests: every hook documented under its exact signature and tested; every CLI flag documented;
the public API keeps transformers.onnx v4.57's signatures."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

import onnxcore
from onnxcore import hookspecs
from onnxcore.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]
HOOKS = [name for name, value in vars(hookspecs).items() if hasattr(value, "onnxcore_spec")]


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_documented_under_its_signature(hook: str) -> None:
    arguments = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
    assert f"## {hook}({arguments})" in (ROOT / "docs" / "hooks.md").read_text()


@pytest.mark.parametrize("hook", HOOKS)
def test_hook_is_tested(hook: str) -> None:
    tests = "\n".join(path.read_text() for path in (ROOT / "core" / "tests").glob("test_*.py"))
    assert re.search(rf"def test_hook_{hook}[_(]", tests), f"add a test_hook_{hook}... test in core/tests"


def test_every_cli_flag_is_documented() -> None:
    cli_doc = (ROOT / "docs" / "cli.md").read_text()
    parser = build_parser()
    subparsers = next(action for action in parser._actions if action.choices and isinstance(action.choices, dict))
    for name, subparser in subparsers.choices.items():
        assert f"## onnxcore {name}" in cli_doc
        for action in subparser._actions:
            for flag in action.option_strings:
                assert flag in cli_doc, f"{name} {flag} missing from docs/cli.md (regenerate it)"


PAST_DUMMY_INPUTS_PARAMETERS = ["self", "tokenizer", "batch_size", "seq_length", "is_pair", "framework"]
SEED_SIGNATURES = {
    "export": ["preprocessor", "model", "config", "opset", "output", "tokenizer", "device"],
    "validate_model_outputs": [
        "config",
        "preprocessor",
        "reference_model",
        "onnx_model",
        "onnx_named_outputs",
        "atol",
        "tokenizer",
    ],
    "OnnxConfig.__init__": ["self", "config", "task", "patching_specs"],
    "OnnxConfig.from_model_config": ["config", "task"],
    "OnnxConfig.generate_dummy_inputs": [
        "self",
        "preprocessor",
        "batch_size",
        "seq_length",
        "num_choices",
        "is_pair",
        "framework",
        "num_channels",
        "image_width",
        "image_height",
        "sampling_rate",
        "time_duration",
        "frequency",
        "tokenizer",
    ],
    "OnnxConfig.generate_dummy_inputs_onnxruntime": ["self", "reference_model_inputs"],
    "OnnxConfig.use_external_data_format": ["num_parameters"],
    "OnnxConfig.flatten_output_collection_property": ["name", "field"],
    "OnnxConfigWithPast.__init__": ["self", "config", "task", "patching_specs", "use_past"],
    "OnnxConfigWithPast.with_past": ["config", "task"],
    "OnnxConfigWithPast.generate_dummy_inputs": PAST_DUMMY_INPUTS_PARAMETERS,
    "OnnxConfigWithPast.fill_with_past_key_values_": [
        "self",
        "inputs_or_outputs",
        "direction",
        "inverted_values_shape",
    ],
    "OnnxSeq2SeqConfigWithPast.generate_dummy_inputs": PAST_DUMMY_INPUTS_PARAMETERS,
    "FeaturesManager.get_supported_features_for_model_type": ["model_type", "model_name"],
    "FeaturesManager.feature_to_task": ["feature"],
    "FeaturesManager.get_model_class_for_feature": ["feature", "framework"],
    "FeaturesManager.determine_framework": ["model", "framework"],
    "FeaturesManager.get_model_from_feature": ["feature", "model", "framework", "cache_dir"],
    "FeaturesManager.check_supported_model_or_raise": ["model", "feature"],
    "FeaturesManager.get_config": ["model_type", "feature"],
    "compute_serialized_parameters_size": ["num_parameters", "dtype"],
}


@pytest.mark.parametrize("name", sorted(SEED_SIGNATURES))
def test_public_api_keeps_the_seed_signature(name: str) -> None:
    owner, _, member = name.partition(".")
    target = getattr(onnxcore, owner)
    if member:
        target = getattr(target, member)
    parameters = [
        parameter.name
        for parameter in inspect.signature(target).parameters.values()
        if parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.POSITIONAL_ONLY)
    ]
    assert parameters == SEED_SIGNATURES[name]


@pytest.mark.parametrize(("page", "generator"), [("cli.md", "cli_reference"), ("api.md", "api_reference")])
def test_reference_page_is_the_generated_one(page: str, generator: str) -> None:
    """docs/cli.md and docs/api.md are what the docs build writes from the parser and the code (regenerate: mkdocs
    build, or tox -e docs), so a reader of the repository sees every signature."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("reference_pages", ROOT / "docs" / "reference_pages.py")
    pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pages)
    assert (ROOT / "docs" / page).read_text() == getattr(pages, generator)()
