"""Command line: parse, call the pipeline or the registry, print. Nothing here knows how to export.

Exit codes: 0 success; 1 export, validation or plugin failure; 2 usage error (bad model, feature, path,
opset, flags); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM). An interrupted export writes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import logging
import math
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from . import __version__, strict_json
from .errors import ConfigContractError, OnnxcoreError, UsageError, first_line
from .exporters.builtin import BUILTIN_EXPORTERS, DEFAULT_EXPORTER, TF_EXPORTER
from .frameworks import TENSORFLOW
from .generation import DEFAULT_MAX_NEW_TOKENS, DEFAULT_PROMPTS, GenerationReport
from .loading import PREPROCESSOR_CHOICES, config_model_types, detect_framework
from .optimization import LEVELS
from .pipeline import (
    ExportRequest,
    ExportResult,
    FeatureOutcome,
    check_export_generation,
    requested_features,
    run_export,
    run_exports,
    validate_export,
)
from .plugin_template import KINDS, create_plugin
from .plugins import PluginHost, PluginInfo, get_host, get_registry
from .precision import DEFAULT_DTYPE, DTYPES
from .progress import StageDisplay
from .runtimes import DEFAULT_RUNTIME, RUNTIMES
from .seq2seq import LAYOUTS
from .staging import written_before
from .validate import ValidationReport, not_run_files
from .variant_checks import VariantReport
from .variants import MODES

COMMANDS = ("export", "validate", "check-generation", "features", "plugins", "new-plugin")


class _ExporterNames(Sequence[str]):
    """``--exporter`` choices: the registered exporters, read when argparse checks or shows them, so building the
    parser loads no plugin."""

    def _names(self) -> list[str]:
        return list(get_registry().exporters)

    def __getitem__(self, index: Any) -> Any:
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())


def _summaries(framework: str) -> str:
    """How ``--help`` names core's exporters of ``framework`` (plugins' are listed among the choices)."""
    return " or ".join(exporter.summary for exporter in BUILTIN_EXPORTERS if exporter.framework == framework)


def build_parser() -> argparse.ArgumentParser:
    """The ``onnxcore`` argument parser (also used to generate the CLI reference)."""
    parser = _Parser(
        prog="onnxcore", description="Export Hugging Face transformers models to ONNX, validated in ONNX Runtime."
    )
    parser.add_argument("--version", action="version", version=f"onnxcore {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    export = commands.add_parser("export", help="export a checkpoint to ONNX and validate it")
    export.add_argument("-m", "--model", required=True, help="local model folder or Hugging Face Hub id")
    export.add_argument(
        "--feature",
        default="default",
        help="feature to export (default: %(default)s); Optimum task names are accepted too. Several features,"
        " comma-separated, or 'all' export each into OUTPUT/FEATURE in one run; 'auto' picks the feature of the"
        " checkpoint's architectures (config.json)",
    )
    export.add_argument("--framework", choices=("pt", "tf"), help="framework of the weights (default: detected)")
    export.add_argument(
        "--opset", type=int, help="ONNX opset (default: the config's, raised to the exporter's minimum)"
    )
    export.add_argument(
        "--atol",
        type=_tolerance,
        help="absolute tolerance for validation, held strictly (default: the config's, widened where float32's own"
        " rounding noise in ONNX Runtime exceeds it)",
    )
    export.add_argument("--cache_dir", "--cache-dir", dest="cache_dir", help="cache folder for hub downloads")
    export.add_argument(
        "--preprocessor",
        choices=PREPROCESSOR_CHOICES,
        default="auto",
        help="preprocessor used to make example inputs (default: %(default)s)",
    )
    export.add_argument(
        "--exporter",
        choices=_ExporterNames(),
        help=f"{_summaries('pt')} for PyTorch weights, {_summaries('tf')} for TensorFlow ones (default:"
        f" {DEFAULT_EXPORTER} or {TF_EXPORTER}, by the framework)",
    )
    export.add_argument("--device", default="cpu", help="device to export on (default: %(default)s)")
    export.add_argument(
        "--trust-remote-code", action="store_true", help="allow checkpoints that run their own Python code"
    )
    export.add_argument(
        "--external-data",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="store weights in one model.onnx.data file (default: only above 2 GB)",
    )
    export.add_argument(
        "--layout",
        choices=LAYOUTS,
        help="encoder-decoder models: one model.onnx as transformers.onnx wrote it, or split for generation into"
        " encoder_model.onnx and decoder_model_merged.onnx (decoder_model.onnx without past) (default: single"
        " with --runtime onnxruntime, split for the others)",
    )
    export.add_argument(
        "--runtime",
        choices=tuple(RUNTIMES),
        default=DEFAULT_RUNTIME,
        help="the runtime that will load the folder, whose layout and inputs it gets: onnxruntime"
        " (transformers.onnx's contract), optimum (Optimum's ORTModel classes: decoders take position_ids) or"
        " transformers.js (the same, with the ONNX files in OUTPUT/onnx/) (default: %(default)s)",
    )
    export.add_argument(
        "--dtype",
        choices=tuple(DTYPES),
        default=DEFAULT_DTYPE,
        help="PyTorch: the precision of the exported weights and compute, validated against the model at it; an"
        " fp16 or bf16 checkpoint exports at its own only when asked (bf16 takes the dynamo exporter at opset 22;"
        " ONNX Runtime's CPU provider runs few bf16 ops, and files it cannot run are reported as not run)"
        " (default: %(default)s)",
    )
    export.add_argument(
        "--optimize",
        choices=LEVELS,
        help="ONNX Runtime's transformer optimizer on every file: O1 basic graph optimizations, O2 plus the"
        " transformer fusions (Attention, SkipLayerNormalization, BiasGelu, ...), O3 plus the GELU approximation"
        " (default: none)",
    )
    export.add_argument(
        "--quantize",
        metavar="MODE[,MODE...]",
        help=f"write variants beside the fp32 files, as transformers.js names them ({', '.join(MODES)}), each"
        " validated against its thresholds; MODE:cosine=0.99:top1=0.9:scaled_diff=0.2 sets them (see"
        " docs/variants.md)",
    )
    export.add_argument(
        "--generation-check",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="for causal-lm-with-past and split seq2seq-lm and speech2seq-lm exports, compare greedy generation in"
        " ONNX Runtime with generate() (default: on)",
    )
    _generation_arguments(export)
    export.add_argument(
        "--keep-failed",
        action="store_true",
        help="when validation fails, keep the rejected files in OUTPUT.failed/ (OUTPUT is left as it was)",
    )
    export.add_argument(
        "--allow-other-files",
        action="store_true",
        help="write into a folder that holds files onnxcore did not write; they are left as they are (a file the"
        " export would overwrite is refused)",
    )
    export.add_argument("-q", "--quiet", action="store_true", help="print only errors and the output path")
    export.add_argument("--json", action="store_true", help="print the result as JSON")
    export.add_argument(
        "output",
        type=Path,
        help="output folder; the model is written to OUTPUT/model.onnx (or the --layout split files)",
    )

    validate = commands.add_parser(
        "validate", help="validate an existing export again against its checkpoint, as its onnxcore.json records it"
    )
    validate.add_argument(
        "-m", "--model", help="the checkpoint (default: the one onnxcore.json records; give it if it moved)"
    )
    validate.add_argument(
        "--atol", type=_tolerance, help="absolute tolerance, held strictly (default: the one the export used)"
    )
    validate.add_argument(
        "--generation-check",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="compare greedy generation too (default: where the export was checked so)",
    )
    validate.add_argument("--trust-remote-code", action="store_true", help="allow checkpoints that run their own code")
    validate.add_argument("--cache_dir", "--cache-dir", dest="cache_dir", help="cache folder for hub downloads")
    validate.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    validate.add_argument("--json", action="store_true", help="print the result as JSON")
    validate.add_argument("folder", type=Path, help="the folder onnxcore export wrote")

    check = commands.add_parser(
        "check-generation",
        help="compare greedy generation of a -with-past or split export with the model's generate()",
    )
    check.add_argument("-m", "--model", required=True, help="the checkpoint the export was made from")
    _generation_arguments(check)
    check.add_argument("--trust-remote-code", action="store_true", help="allow checkpoints that run their own code")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.add_argument("onnx", type=Path, help="export folder (or its model.onnx)")

    features = commands.add_parser("features", help="list model types and the features installed plugins export")
    features.add_argument("model_type", nargs="?", help="show one model type")
    features.add_argument("--json", action="store_true", help="print JSON")

    plugins = commands.add_parser("plugins", help="list installed plugins, their versions, hooks and status")
    plugins.add_argument("--all", action="store_true", help="include core's built-in plugins")
    plugins.add_argument("--json", action="store_true", help="print JSON")

    new = commands.add_parser("new-plugin", help="create the skeleton of a plugin distribution and its tests")
    new.add_argument(
        "name", help="plugin name (may have hyphens): the distribution becomes onnxcore-NAME, the package onnxcore_NAME"
    )
    new.add_argument("--model-type", help="the transformers model_type it registers (default: NAME)")
    new.add_argument(
        "--kind",
        choices=sorted(KINDS),
        default="encoder",
        help="encoder (OnnxConfig), decoder (OnnxConfigWithPast) or encoder-decoder (OnnxSeq2SeqConfigWithPast)"
        " (default: encoder)",
    )
    new.add_argument(
        "--directory", type=Path, default=Path("."), help="where to create onnxcore-NAME/ (default: current)"
    )
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse, except that a refused argument is a UsageError: main reports it as every other usage error (one
    ``error:`` line on the caller's stream, exit 2, the JSON failure record with ``--json``) instead of argparse
    printing its usage to sys.stderr and exiting."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _tolerance(text: str) -> float:
    """``--atol``: a finite number of at least 0. NaN or a negative tolerance fails every check, and an infinite
    one passes every check, so each is a mistake to report before anything loads."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a tolerance; pass a finite number of at least 0 such as 1e-4, or leave --atol out"
            " for the default"
        )
    return value


def _generation_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--prompt",
        action="append",
        dest="prompts",
        metavar="TEXT",
        help="prompt for the generation check; repeat for a batch (default: two prompts of different lengths)",
    )
    parser.add_argument(
        "--max-new-tokens",
        type=int,
        default=DEFAULT_MAX_NEW_TOKENS,
        metavar="N",
        help="tokens to generate in the generation check (default: %(default)s)",
    )


def _table(rows: list[tuple[str, ...]], out: TextIO) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip(), file=out)


def _distribution_of(host: PluginHost) -> dict[str, str]:
    return {info.name: info.distribution for info in host.plugins}


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    request = ExportRequest(
        model=args.model,
        output=args.output,
        feature=args.feature,
        framework=args.framework,
        opset=args.opset,
        atol=args.atol,
        cache_dir=args.cache_dir,
        preprocessor=args.preprocessor,
        exporter=args.exporter,
        device=args.device,
        trust_remote_code=args.trust_remote_code,
        external_data=args.external_data,
        layout=args.layout,
        runtime=args.runtime,
        dtype=args.dtype,
        optimize=args.optimize,
        quantize=args.quantize,
        generation_check=args.generation_check,
        prompts=tuple(args.prompts or DEFAULT_PROMPTS),
        max_new_tokens=args.max_new_tokens,
        keep_failed=args.keep_failed,
        allow_other_files=args.allow_other_files,
    )
    features = requested_features(request)
    with StageDisplay(err, quiet=args.quiet or args.json) as progress, _quiet_libraries(args.quiet or args.json):
        if len(features) > 1:
            outcomes = run_exports(request, progress)
        else:
            result = run_export(dataclasses.replace(request, feature=features[0]), progress)
    if len(features) > 1:
        return _report_outcomes(outcomes, args, out, err)
    if args.json:
        print(strict_json.dumps({"ok": True} | _result_summary(result)), file=out)
    elif args.quiet:
        for path in result.onnx_files:
            print(path, file=out)
    else:
        _print_result(result, out)
    return 0


def _result_summary(result: ExportResult) -> dict[str, Any]:
    keys = ("model", "model_type", "feature", "plugin", "exporter", "opset")
    summary = {key: result.manifest[key] for key in keys}
    summary |= {"output": str(result.output), "files": [str(path) for path in result.files]}
    summary["layout"] = result.layout
    return summary | _checks_summary(result.validation, result.generation, result.variants)


def _checks_summary(
    validation: dict[str, ValidationReport], generation: GenerationReport | None, variants: dict[str, VariantReport]
) -> dict[str, Any]:
    """The validation reports, the generation check and the variants' metrics, JSON-ready (export and validate
    print the same); ``not_run``: the files ONNX Runtime could not run at their --dtype."""
    return {
        "not_run": not_run_files(validation),
        "validation": {name: report.as_dict() for name, report in validation.items()},
        "generation": generation.as_dict() if generation else None,
        "variants": {name: report.as_dict() for name, report in variants.items()},
    }


def _report_outcomes(outcomes: list[FeatureOutcome], args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Print a multi-feature run; exit 1 when any feature failed (skipped ones do not count)."""
    failed = [outcome for outcome in outcomes if outcome.error is not None and not outcome.skipped]
    if args.json:
        records = [
            {"feature": outcome.feature, "output": str(outcome.output), "status": _status(outcome)}
            | (_result_summary(outcome.result) if outcome.result else {"error": str(outcome.error)})
            for outcome in outcomes
        ]
        print(strict_json.dumps(records), file=out)
        return 1 if failed else 0
    for outcome in outcomes:
        if outcome.result is None:
            print(f"error: {outcome.feature}: {outcome.error}", file=err)
        elif args.quiet:
            for path in outcome.result.onnx_files:
                print(path, file=out)
        else:
            print(f"== {outcome.feature}", file=out)
            _print_result(outcome.result, out)
    if not args.quiet:
        rows = [("FEATURE", "STATUS", "OUTPUT")]
        rows += [(outcome.feature, _status(outcome), str(outcome.output)) for outcome in outcomes]
        _table(rows, out)
    return 1 if failed else 0


def _status(outcome: FeatureOutcome) -> str:
    if outcome.result is not None:
        return "not validated" if _not_run(outcome.result.validation) else "ok"
    return "skipped" if outcome.skipped else "failed"


def _print_checks(
    validation: dict[str, ValidationReport],
    generation: GenerationReport | None,
    variants: dict[str, VariantReport],
    out: TextIO,
    named: bool,
) -> None:
    """Each file's validation table (under its name when ``named``), the generation check, then one row per
    variant with its worst metrics."""
    for name, report in validation.items():
        if named:
            print(f"{name}:", file=out)
        print(report.table(), file=out)
    if generation:
        print(generation.headline + "\n" + generation.summary(), file=out)
    if variants:
        rows = [("VARIANT", "FILES", "MIN COSINE", "MAX SCALED DIFF", "MIN TOP-1", "GREEDY TOKENS")]
        rows += [report.summary_row() for report in variants.values()]
        _table(rows, out)


def _not_run(validation: dict[str, ValidationReport]) -> str:
    """The files ONNX Runtime could not run (no kernel at their --dtype), comma-separated; empty when none."""
    return ", ".join(not_run_files(validation))


def _print_result(result: ExportResult, out: TextIO) -> None:
    _print_checks(result.validation, result.generation, result.variants, out, named=len(result.validation) > 1)
    unchecked = _not_run(result.validation)
    if unchecked:
        print(f"Saved in {result.output}; not validated: {unchecked} (see above)", file=out)
    elif result.generation is not None and not result.generation.ok:  # half precision: a warning, not a failure
        print(
            f"Saved in {result.output}; validated, and greedy generation parted at half precision (see above)", file=out
        )
    elif len(result.onnx_files) == 1:
        print(f"All good, model saved at: {result.onnx_files[0]}", file=out)
    else:
        names = ", ".join(path.name for path in result.onnx_files)
        print(f"All good, models saved in {result.output}: {names}", file=out)


def cmd_validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with StageDisplay(err, quiet=args.quiet or args.json) as progress, _quiet_libraries(args.quiet or args.json):
        result = validate_export(
            args.folder,
            args.model,
            args.atol,
            args.generation_check,
            args.trust_remote_code,
            progress,
            cache_dir=args.cache_dir,
        )
    if args.json:
        summary = {"folder": str(result.folder), "model": result.model, "ok": True}
        checks = _checks_summary(result.validation, result.generation, result.variants)
        print(strict_json.dumps(summary | checks), file=out)
    elif not args.quiet:
        _print_checks(result.validation, result.generation, result.variants, out, named=True)
        unchecked = _not_run(result.validation)
        if unchecked:
            print(f"{result.folder}'s files are as written; not run in ONNX Runtime: {unchecked} (see above)", file=out)
        else:
            print(f"All good: {result.folder} still matches {result.model}.", file=out)
    return 0


def cmd_check_generation(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    prompts = tuple(args.prompts or DEFAULT_PROMPTS)
    report = check_export_generation(args.model, args.onnx, prompts, args.max_new_tokens, args.trust_remote_code)
    if args.json:
        print(strict_json.dumps(report.as_dict()), file=out)
    else:
        print(report.headline + "\n" + report.summary(), file=out)
    return 0


def cmd_features(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    host = get_host()
    registry = host.registry
    distributions = _distribution_of(host)
    model_types = [args.model_type] if args.model_type else registry.model_types()
    if args.model_type:
        registry.require_model_type(args.model_type)
    records = []
    spellings = config_model_types() if model_types else {}
    for model_type in model_types:
        for feature, entries in sorted(registry.registrations(model_type).items()):
            for entry in entries:
                records.append(
                    {
                        "model_type": entry.model_type,
                        "config_model_type": spellings.get(entry.model_type, entry.model_type),
                        "feature": feature,
                        "task": entry.task,
                        "plugin": entry.plugin,
                        "distribution": distributions.get(entry.plugin, entry.plugin),
                        "onnx_config": f"{entry.onnx_config_cls.__module__}.{entry.onnx_config_cls.__qualname__}",
                        # the class the registration names for loading; null: the task's auto class
                        "model_class": entry.model_class,
                        "conflict": len(entries) > 1,
                    }
                )
    if args.json:
        print(strict_json.dumps(records), file=out)
        return 0
    if not records:
        print("No model types registered: install a plugin such as onnxcore-bert.", file=out)
        return 0
    rows = [("MODEL TYPE", "FEATURE", "PLUGIN", "ONNX CONFIG")]
    for record in records:
        plugin = record["distribution"] + (" (conflict)" if record["conflict"] else "")
        model_type = record["model_type"]
        if record["config_model_type"] != model_type:
            model_type += f" ({record['config_model_type']})"
        rows.append((model_type, record["feature"], plugin, record["onnx_config"]))
    _table(rows, out)
    return 0


def cmd_plugins(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    host = get_host()
    infos = [info for info in host.plugins if args.all or not info.builtin]
    if args.json:
        print(strict_json.dumps([info.as_dict() for info in infos]), file=out)
        return 0
    if not infos:
        print("No plugins installed: pip install onnxcore-bert (or another onnxcore-* plugin).", file=out)
        return 0
    rows = [("DISTRIBUTION", "VERSION", "ENTRY POINT", "HOOKS", "MODEL TYPES", "STATUS")]
    for info in infos:
        status = info.status if info.error is None else f"error: {info.error}"
        rows.append(
            (
                info.distribution,
                info.version,
                info.entry_point,
                ", ".join(info.hooks) or "-",
                ", ".join(info.model_types) or "-",
                status,
            )
        )
    _table(rows, out)
    return 0


def cmd_new_plugin(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = create_plugin(args.name, args.directory, args.model_type, args.kind)
    files = sorted(str(path.relative_to(target)) for path in target.rglob("*") if path.is_file())
    print(f"Created {target}:", *(f"  {name}" for name in files), sep="\n", file=out)
    print(
        "Next: fill in the two TODOs (the config's inputs, the test's tiny_config), then\n"
        f'  pip install -e "{target}[test]" && python -m onnxcore features {args.model_type or args.name}'
        f" && pytest {target / 'tests'}",
        file=out,
    )
    return 0


def _warnings_to(err: TextIO) -> Callable[..., None]:
    """A ``warnings.showwarning`` that prints one ``warning:`` line to the CLI's error stream."""

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        print(f"warning: {message}", file=err)

    return show


_QUIET_LIBRARIES = {
    "TRANSFORMERS_VERBOSITY": "error",  # read when transformers sets up its logger
    "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",  # read when huggingface_hub is imported
}


@contextlib.contextmanager
def _quiet_libraries(quiet: bool) -> Iterator[None]:
    """``--quiet`` and ``--json``: transformers' notices and progress bars stay out of the output (its errors and
    onnxcore's own warnings still show). Works before transformers is imported, without importing it."""
    if not quiet:
        yield
        return
    saved = {name: os.environ.get(name) for name in _QUIET_LIBRARIES}
    os.environ.update(_QUIET_LIBRARIES)
    logger = logging.getLogger("transformers")
    level = logger.level
    logger.setLevel(logging.ERROR)  # when transformers is already imported and set up
    try:
        yield
    finally:
        logger.setLevel(level)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that everything unwinds as on Ctrl-C."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def run() -> int:
    """Console entry (``onnxcore``, ``python -m onnxcore``): one command per process.

    transformers imports TensorFlow whenever it is installed (about 10 s and C++ log lines), which a PyTorch
    export never uses; a process that runs only this command can tell it not to. ``main`` itself changes no
    environment, so programs that call it for several exports keep both frameworks.
    """
    if not sys.flags.utf8_mode and sys.getfilesystemencoding() == "ascii" and not "".join(sys.argv).isascii():
        _restart_in_utf8_mode()
    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:  # a parent that ignores it keeps it ignored
        signal.signal(signal.SIGTERM, _terminate)  # unwind like Ctrl-C, so that the staged export is removed
    arguments = sys.argv[1:]
    command = arguments[0] if arguments and arguments[0] in COMMANDS else "export"
    if command == "export" and _pytorch_weights(arguments):
        os.environ.setdefault("USE_TF", "0")
    TENSORFLOW.set_environment()
    return main(arguments)


def _restart_in_utf8_mode() -> NoReturn:
    """Run this command again in Python's UTF-8 mode. The C locale without it (LC_ALL=C, PYTHONUTF8=0) decodes a
    non-ASCII argument such as ``out-é`` to surrogates, which Python's file functions take but torch and ONNX
    Runtime do not (a TypeError deep in the exporter); UTF-8 mode decodes the same bytes to the text they are."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.orig_argv[0], "-X", "utf8", *sys.orig_argv[1:]])


def _pytorch_weights(arguments: Sequence[str]) -> bool:
    """Whether ``export ARGUMENTS`` reads a local folder's PyTorch weights (so never TF-only ones via from_tf)."""

    def option(*names: str) -> str | None:
        for index, argument in enumerate(arguments):
            for name in names:
                if argument == name and index + 1 < len(arguments):
                    return arguments[index + 1]
                if argument.startswith(name + "="):
                    return argument.split("=", 1)[1]
        return None

    model = option("-m", "--model")
    if model is None or option("--framework") == "tf" or not Path(model).is_dir():
        return False  # hub ids may need TF to convert TF-only weights
    try:
        return detect_framework(model) == "pt"
    except FileNotFoundError:  # no weights: main reports it
        return False


_HANDLERS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "export": cmd_export,
    "validate": cmd_validate,
    "check-generation": cmd_check_generation,
    "features": cmd_features,
    "plugins": cmd_plugins,
    "new-plugin": cmd_new_plugin,
}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the CLI; returns the exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] not in COMMANDS and arguments[0] not in ("-h", "--help", "--version"):
        arguments.insert(0, "export")  # transformers.onnx style: python -m onnxcore -m MODEL OUTPUT
    args: argparse.Namespace | None = None
    try:
        with warnings.catch_warnings():  # the caller's warning display is back when main returns
            warnings.showwarning = _warnings_to(err)
            args = build_parser().parse_args(arguments)
            return _HANDLERS[args.command](args, out, err)
    except OnnxcoreError as exc:
        culprit = _plugin_of_module(exc.config_module) if isinstance(exc, ConfigContractError) else None
        message = _blame(culprit, str(exc)) if culprit else str(exc)
        return _failed(message, exc.exit_code, _wants_json(args, arguments), out, err)
    except KeyboardInterrupt as stop:
        written = ", ".join(str(folder) for folder in written_before(stop))
        rest = f"{written} had been written; nothing else was" if written else "nothing was written"
        print(f"error: {'terminated' if isinstance(stop, Terminated) else 'interrupted'}; {rest}.", file=err)
        return 143 if isinstance(stop, Terminated) else 130
    except BrokenPipeError:  # the reader closed the pipe (`features --json | head`): nothing more to tell it
        if out is sys.stdout:  # Python flushes stdout at exit, into the closed pipe, and would report that too
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a reader that stopped early
    except Exception as exc:  # the safety net: each input the code foresees has its own error above
        if os.environ.get("ONNXCORE_DEBUG"):
            traceback.print_exc()
        culprit = _failing_plugin(exc)
        problem = f"{type(exc).__name__}: {first_line(exc)}"
        if culprit is not None:
            return _failed(_blame(culprit, problem), 1, _wants_json(args, arguments), out, err)
        message = f"unexpected {problem} (set ONNXCORE_DEBUG=1 for the traceback and report it)"
        return _failed(message, 1, _wants_json(args, arguments), out, err)


def _wants_json(args: argparse.Namespace | None, arguments: list[str]) -> bool:
    """Whether the command asked for JSON; from the raw arguments when argparse refused them."""
    return bool(getattr(args, "json", False)) if args is not None else "--json" in arguments


def _failed(message: str, exit_code: int, as_json: bool, out: TextIO, err: TextIO) -> int:
    """Report a failure: one ``error:`` line, and with ``--json`` the failure record, so that stdout stays one
    JSON object for the program reading it whatever went wrong."""
    print(f"error: {message}", file=err)
    if as_json:
        print(strict_json.dumps({"ok": False, "error": message, "exit_code": exit_code}), file=out)
    return exit_code


def _blame(culprit: PluginInfo, problem: str) -> str:
    """One line naming a failing plugin, what went wrong, and how to run without it."""
    return (
        f"plugin {culprit.name!r} ({culprit.distribution} {culprit.version}) failed: {problem}; report it to its"
        f" author, or disable it with ONNXCORE_DISABLE_PLUGINS={culprit.name}."
    )


def _plugin_packages() -> dict[str, PluginInfo]:
    """Each installed plugin by the top-level package its entry point names."""
    return {
        info.entry_point.split("=")[-1].strip().split(".")[0].split(":")[0]: info
        for info in get_host().plugins
        if not info.builtin
    }


def _plugin_of_module(module: str) -> PluginInfo | None:
    return _plugin_packages().get(module.split(".")[0])


def _failing_plugin(exc: BaseException) -> PluginInfo | None:
    """The plugin whose code raised ``exc`` (the innermost traceback frame in a plugin's package), if any."""
    packages = _plugin_packages()
    culprit = None
    frame = exc.__traceback__
    while frame is not None:
        package = str(frame.tb_frame.f_globals.get("__name__", "")).split(".")[0]
        culprit = packages.get(package, culprit)
        frame = frame.tb_next
    return culprit
