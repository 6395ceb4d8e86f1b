"""The one place where the export steps run in order:

``load -> resolve config -> dummy inputs -> patch -> export -> post-process -> validate -> write``

The CLI, the conformance kit and any batch run call :func:`run_export`; nothing else repeats these steps.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import json
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from . import strict_json
from .config_contract import check_declared_axes, check_past_layers
from .errors import (
    LayoutNotApplicableError,
    ModelPathError,
    NoFrameworkClassError,
    OnnxcoreError,
    UnknownFeatureError,
    UsageError,
    ValidationError,
    exception_chain,
    storage_error,
)
from .exporters import export
from .exporters.merged_decoder import merge_decoder_files
from .exporters.onnx_files import EXTERNAL_DATA_SUFFIX, rename_external_data
from .exporters.opsets import check_opset, opset_range
from .frameworks import framework_of
from .generation import (
    DEFAULT_MAX_NEW_TOKENS,
    DEFAULT_PROMPTS,
    GenerationReference,
    GenerationReport,
    can_check_generation,
    check_generation,
    check_generation_settings,
    compare_generation,
    generation_reference,
)
from .loading import (
    HUB_ID,
    INITIALIZATION_SEED,
    check_device,
    check_framework_class,
    check_native_paths,
    check_preprocessor_files,
    check_tensorflow_checkpoint_size,
    choose_framework,
    export_dtypes,
    installed_version,
    load_model,
    load_model_config,
    load_preprocessor,
    mapped_class,
    model_class_for,
    resolve,
)
from .manifest import (
    MANIFEST_NAME,
    build_manifest,
    check_file_hashes,
    framework_packages,
    read_export_settings,
    read_manifest,
    recorded_dtype,
)
from .optimization import O3_ATOL, check_level, effective_level, optimize_file
from .plugins import get_registry
from .precision import DTYPE_ATOL, check_dtype, dtype_exporter, dtype_opset
from .registry import ConfigRegistration
from .request import ExportRequest
from .runtimes import DEFAULT_RUNTIME, ONNX_FOLDER, Runtime, runtime_config, runtime_layout, runtime_named
from .seq2seq import (
    DECODER_WITH_PAST,
    MERGED_DECODER,
    SINGLE_FILE,
    ExportPart,
    check_layout,
    layout_configs,
    layout_parts,
    merged_decoder_parts,
)
from .staging import StagedOutput, check_feature_folders, folder_locked, note_written
from .steps import StepContext
from .validate import ReferenceRun, ValidationReport, check_onnx_outputs, not_run_files, reference_run
from .variant_checks import VariantReport, check_variant, variant_generation
from .variants import Variant, make_variant, parse_variants

ONNX_FILE_NAME = SINGLE_FILE
ALL_FEATURES = "all"
AUTO_FEATURE = "auto"
Progress = Callable[[str], None]


@dataclasses.dataclass
class ExportResult:
    """What was written and how it validated."""

    output: Path
    files: list[Path]
    model_type: str
    feature: str
    plugin: str
    exporter: str
    opset: int
    layout: str
    validation: dict[str, ValidationReport]
    manifest: dict[str, Any]
    onnx_files: list[Path]  # in the layout's order
    generation: GenerationReport | None = None
    variants: dict[str, VariantReport] = dataclasses.field(default_factory=dict)


def choose_exporter(request: ExportRequest, framework: str) -> str:
    """The requested exporter, checked against the framework; by default the framework's first registered one
    (torchscript for PyTorch, tf2onnx for TensorFlow)."""
    registry = get_registry()
    exporters = [candidate.name for candidate in registry.exporters_for(framework)]
    exporter = request.exporter or exporters[0]
    if exporter in exporters:
        return exporter
    if exporter in registry.exporters:
        weights = "TensorFlow" if framework == "tf" else "PyTorch"
        raise UsageError(
            f"--exporter {exporter} does not export {weights} models; use --exporter {' or '.join(exporters)}"
            f" (or pick the other weights with --framework)."
        )
    raise UsageError(f"unknown exporter {exporter!r}; choose one of {', '.join(registry.exporters)}.")


def choose_opset(request: ExportRequest, onnx_config: Any, exporter: str) -> int:
    """The requested opset, checked; by default the config's, raised to what ``exporter`` can write."""
    low, _ = opset_range(exporter)
    opset = request.opset if request.opset is not None else max(onnx_config.default_onnx_opset, low)
    opset = dtype_opset(request.dtype, opset, requested=request.opset is not None)
    check_opset(opset, onnx_config, exporter)
    return opset


def onnx_path(runtime: Runtime, name: str) -> str:
    """Where the export folder keeps ONNX file ``name`` for ``runtime`` (transformers.js: in ``onnx/``)."""
    return f"{runtime.onnx_folder}/{name}" if runtime.onnx_folder else name


def _names(names: list[str], shown: int = 3) -> str:
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _generation_config(model: Any) -> Any:
    """The generation settings of a model that generates (Whisper's forced and suppressed tokens, for one), saved
    beside the export so that generating from the folder alone behaves like the checkpoint."""
    can_generate = getattr(model, "can_generate", lambda: False)
    return getattr(model, "generation_config", None) if can_generate() else None


@dataclasses.dataclass
class Plan:
    """What an export of ``request`` does, decided and checked before any model loads."""

    request: ExportRequest  # with the exporter chosen
    model_config: Any
    registration: ConfigRegistration
    onnx_config: Any  # the registered OnnxConfig on the checkpoint's config
    framework: str
    opset: int
    runtime: Runtime
    variants: tuple[Variant, ...] = ()

    def files(self, onnx_config: Any = None) -> dict[str, Any]:
        """The fp32 ONNX files the export leaves in its folder, by path below it, each with its contract (of
        ``onnx_config``, by default the plan's)."""
        configs = layout_configs(str(self.request.layout), onnx_config or self.onnx_config)
        return {onnx_path(self.runtime, name): config for name, config in configs.items()}

    def all_files(self, onnx_config: Any = None) -> dict[str, Any]:
        """The fp32 files and each ``--quantize`` variant's, which keep their contracts."""
        files = self.files(onnx_config)
        variants = {variant.file_name(name): config for variant in self.variants for name, config in files.items()}
        return files | variants


@dataclasses.dataclass
class Loaded:
    """The framework model of a plan and what the checks need from it: the layout's parts, the preprocessor, the
    weights the checkpoint lacked. ``model`` and ``parts`` are dropped by :func:`check`."""

    model: Any
    missing_weights: list[str]
    onnx_config: Any
    parts: list[ExportPart]
    preprocessor: Any


def plan(request: ExportRequest, progress: Progress) -> Plan:
    """Resolve the checkpoint's OnnxConfig, framework, exporter and opset, and refuse what cannot work."""
    if request.generation_check:
        check_generation_settings(request.prompts, request.max_new_tokens)
    progress(f"Resolving {request.model} (feature {request.feature})")
    model_config, registration = resolve(request)
    onnx_config = registration.constructor()(model_config)
    check_declared_axes(onnx_config)
    framework = choose_framework(request.model, request.framework)
    check_framework_class(registration, model_config, framework)
    check_tensorflow_checkpoint_size(request.model, framework)
    check_dtype(request.dtype, framework, request.quantize, request.optimize, request.runtime)
    exporter = choose_exporter(
        dataclasses.replace(request, exporter=dtype_exporter(request.dtype, request.exporter)), framework
    )
    if framework == "tf" and (request.external_data or request.device != "cpu"):
        raise UsageError(
            "--external-data and --device apply to PyTorch exports; TensorFlow exports are written inline on the"
            " CPU (drop them)."
        )
    check_device(request.device)
    runtime = runtime_named(request.runtime)
    request = dataclasses.replace(
        request, exporter=exporter, layout=runtime_layout(runtime, request.layout, onnx_config)
    )
    opset = choose_opset(request, onnx_config, exporter)
    check_layout(request.layout, onnx_config)
    check_past_layers(onnx_config, registration.feature)
    check_level(request.optimize)
    variants = parse_variants(request.quantize)
    if request.external_data and (variants or request.optimize):
        raise UsageError(_IN_MEMORY_TOOLS)
    return Plan(request, model_config, registration, onnx_config, framework, opset, runtime, variants)


def load(planned: Plan, progress: Progress) -> Loaded:
    """Load the framework model with the attention its exporter needs, its layout's parts and its preprocessor."""
    registration = planned.registration
    config_name = registration.onnx_config_cls.__name__
    progress(f"Loading {registration.model_type} model for {registration.feature} ({config_name})")
    model, missing = load_model(planned.request, registration, planned.framework)
    onnx_config = runtime_config(planned.runtime, registration.constructor()(model.config), model)
    layout = str(planned.request.layout)
    parts = [part.below(planned.runtime.onnx_folder) for part in layout_parts(layout, onnx_config, model)]
    return Loaded(model, missing, onnx_config, parts, load_preprocessor(planned.request))


def export_files(planned: Plan, loaded: Loaded, staging: Path, progress: Progress) -> dict[str, Any]:
    """Export each graph of the layout into ``staging``, optimize it (``--optimize``) and make its variants
    (``--quantize``); merge the two decoders of a split export with past into one file, for the fp32 files and for
    each variant. Returns what the optimizer did to each traced file."""
    request = planned.request
    (staging / planned.runtime.onnx_folder).mkdir(exist_ok=True)
    for part in loaded.parts:
        progress(f"Exporting {part.file_name} with {request.exporter} (opset {planned.opset})")
        export(
            loaded.preprocessor,
            part.model,
            part.config,
            planned.opset,
            staging / part.file_name,
            device=request.device,
            exporter=request.exporter,
            external_data=request.external_data,
        )
    first = [variant for variant in planned.variants if variant.mode.before_optimization]
    make_variants(first, loaded.parts, staging, progress)
    optimized = optimize_parts(planned, loaded.parts, staging, progress)
    make_variants([variant for variant in planned.variants if variant not in first], loaded.parts, staging, progress)
    decoders = merged_decoder_parts(loaded.parts)
    if decoders is not None:
        merged = onnx_path(planned.runtime, f"{MERGED_DECODER}.onnx")
        contract = planned.files(loaded.onnx_config)[merged]
        for named in (lambda name: name, *(variant.file_name for variant in planned.variants)):
            progress(f"Merging {' and '.join(map(named, decoders))} into {named(merged)}, the weights stored once")
            no_past, with_past = (staging / named(name) for name in decoders)
            merge_decoder_files(no_past, with_past, staging / named(merged), contract, request.external_data)
    if planned.runtime.data_suffix != EXTERNAL_DATA_SUFFIX:
        for name in planned.all_files():
            if (staging / f"{name}{EXTERNAL_DATA_SUFFIX}").is_file():
                rename_external_data(staging / name, Path(name).name + planned.runtime.data_suffix)
    return optimized


#: ONNX Runtime's optimizer and quantizers load the whole model as one protobuf, weights included.
_IN_MEMORY_TOOLS = (
    "--optimize and --quantize work on models whose weights fit in one .onnx file (under 2 GB); export this one"
    " without them, or without --external-data."
)


def _check_inline(parts: list[ExportPart], staging: Path) -> None:
    """Refuse the tools on a file whose weights went to external data (above 2 GB): they cannot write it back."""
    if any((staging / f"{part.file_name}{EXTERNAL_DATA_SUFFIX}").exists() for part in parts):
        raise UsageError(_IN_MEMORY_TOOLS)


def make_variants(variants: list[Variant], parts: list[ExportPart], staging: Path, progress: Progress) -> None:
    """Each variant of each traced file, beside it."""
    if variants:
        _check_inline(parts, staging)
    for variant in variants:
        for part in parts:
            progress(f"Making the {variant.name} variant of {part.file_name}")
            make_variant(staging / part.file_name, staging / variant.file_name(part.file_name), variant.mode)


def optimize_parts(planned: Plan, parts: list[ExportPart], staging: Path, progress: Progress) -> dict[str, Any]:
    """``--optimize``: each traced file in place, at the level its config's optimizer spec allows."""
    level = planned.request.optimize
    if level is None:
        return {}
    _check_inline(parts, staging)
    done = {}
    for part in parts:
        spec = part.config.optimizer_spec()
        applied = effective_level(level, spec, type(getattr(part.config, "parent", part.config)).__name__)
        progress(f"Optimizing {part.file_name} with ONNX Runtime ({applied})")
        done[part.file_name] = optimize_file(staging / part.file_name, applied, spec)
    return done


def save_loader_config(planned: Plan, staging: Path) -> None:
    """Add to the saved ``config.json`` what the runtime needs to load the folder as it is (transformers.js: the
    dtype, and which files have external data)."""
    external = [
        Path(name).name for name in planned.all_files() if (staging / f"{name}{planned.runtime.data_suffix}").is_file()
    ]
    entries = planned.runtime.loader_config(external)
    config_file = staging / "config.json"
    if entries and config_file.is_file():
        config = json.loads(config_file.read_text())
        for key, values in entries.items():  # the checkpoint's own entries (kv_cache_dtype, ...) are kept
            config[key] = {**config.get(key, {}), **values}
        config_file.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def post_process(planned: Plan, contracts: Mapping[str, Any], staging: Path, progress: Progress) -> None:
    """Run the registered post-export steps on the staged files, before validation checks them."""
    request = planned.request
    context = StepContext(staging, contracts, planned.opset, request.exporter, planned.framework, request.feature)
    for step in get_registry().steps:
        progress(f"Running the {step.name} step")
        step.run(context)


def check(
    planned: Plan,
    loaded: Loaded,
    folder: Path,
    atol: float | None,
    progress: Progress,
    strict_atol: bool | None = None,
) -> tuple[dict[str, ValidationReport], GenerationReport | None, dict[str, VariantReport]]:
    """Validate the ONNX files in ``folder`` against the framework model (and greedy generation, where it
    applies). The model's outputs are taken first and the model is freed: ONNX Runtime loads the weights next,
    and a large model must not be in memory twice. ``strict_atol`` (default: whether ``atol`` is given): hold the
    files to ``atol`` alone, without the allowance for float32's own rounding noise (``validate.py``)."""
    if strict_atol is None:
        strict_atol = atol is not None
    if atol is None:
        atol = max(loaded.onnx_config.atol_for_validation, DTYPE_ATOL.get(planned.request.dtype, 0.0))
    if planned.request.optimize == "O3":  # the GELU approximation changes the function: see optimization.py
        atol = max(atol, O3_ATOL)
    pending = prepare_checks(
        loaded.parts, loaded.onnx_config, loaded.model, loaded.preprocessor, planned, atol, progress, not strict_atol
    )
    loaded.model, loaded.parts = None, []
    return_free_memory()
    return run_checks(pending, folder, progress)


def run_export(request: ExportRequest, progress: Progress = lambda message: None) -> ExportResult:
    """Export and validate one feature of one checkpoint into ``request.output``, atomically: plan, load, export,
    post-process, check, write."""
    output = Path(request.output)
    check_native_paths(model_path=request.model, output_path=output)
    staged = StagedOutput(output, request.keep_failed, request.model, request.allow_other_files)
    planned = plan(request, progress)
    files = list(planned.all_files())
    clashing = [*files, *(f"{name}{planned.runtime.data_suffix}" for name in files), planned.runtime.onnx_folder]
    staged.claim.refuse_clashes([name for name in clashing if name])  # now, not after the work
    loaded = load(planned, progress)
    if loaded.missing_weights:
        warnings.warn(
            f"{request.model} has no weights for {_names(loaded.missing_weights)}: transformers drew them at random"
            f" (seed {INITIALIZATION_SEED}), so exported outputs that use them are random too; if any do, export a"
            " checkpoint that has these weights (one trained for the task).",
            stacklevel=2,
        )
    dtypes = export_dtypes(request.model, planned.model_config, loaded.model)
    contracts = planned.all_files(loaded.onnx_config)
    attention = loaded.model.config._attn_implementation
    generation_config = _generation_config(loaded.model)
    with _kept_or_reported(staged, output), staged as staging:
        optimized = export_files(planned, loaded, staging, progress)
        post_process(planned, contracts, staging, progress)
        reports, generation, variants = check(planned, loaded, staging, request.atol, progress)
        for saved in (planned.model_config, generation_config, loaded.preprocessor):
            if saved is not None:
                saved.save_pretrained(staging)
        save_loader_config(planned, staging)
        manifest = build_manifest(
            planned.request,
            planned.registration,
            planned.opset,
            staging,
            contracts,
            reports,
            generation,
            attention,
            planned.framework,
            loaded.missing_weights,
            dtypes,
            optimized,
            variants,
        )
        (staging / MANIFEST_NAME).write_text(strict_json.dumps(manifest) + "\n")
        names = sorted([*manifest["files"], MANIFEST_NAME])
        progress(f"Writing {output}")
        staged.commit()
    registration = planned.registration
    return ExportResult(
        output=output,
        files=[output / name for name in names],
        model_type=registration.model_type,
        feature=registration.feature,
        plugin=registration.plugin,
        exporter=planned.request.exporter,
        opset=planned.opset,
        layout=str(planned.request.layout),
        validation=reports,
        manifest=manifest,
        onnx_files=[output / name for name in planned.files()],
        generation=generation,
        variants=variants,
    )


@contextlib.contextmanager
def _kept_or_reported(staged: StagedOutput, output: Path) -> Iterator[None]:
    """A failed validation says where ``--keep-failed`` kept the files; a full disk or read-only output is the
    user's one line, naming their path."""
    try:
        yield
    except ValidationError as exc:
        if staged.failed is None:
            raise
        kept = (
            f"The rejected export is in {staged.kept}"
            if staged.kept
            else f"It could not be kept in {staged.failed.target}"
        )
        raise ValidationError(f"{exc}\n{kept}; {output} is as it was.") from exc
    except OSError as exc:
        no_room = storage_error(exc, output)
        if no_room is None:
            raise
        raise no_room from exc


@dataclasses.dataclass
class FeatureOutcome:
    """One feature of a multi-feature run: its result, or the error that stopped it (``skipped``: ``all`` asked
    for a feature this framework has no model class for)."""

    feature: str
    output: Path
    result: ExportResult | None = None
    error: OnnxcoreError | None = None
    skipped: bool = False


def _feature_names(request: ExportRequest) -> list[str]:
    """``--feature`` split at commas, as typed."""
    return [name.strip() for name in request.feature.split(",") if name.strip()]


def requested_features(request: ExportRequest) -> list[str]:
    """The features ``request.feature`` names: one, a comma-separated list, ``all`` (every feature the plugins
    register for the checkpoint's model type) or ``auto`` (:func:`infer_feature`), as canonical names without
    repeats."""
    names = _feature_names(request)
    if not names:
        raise UsageError("--feature is empty; name a feature, a comma-separated list, or all.")
    registry = get_registry()
    for word in (ALL_FEATURES, AUTO_FEATURE):
        if word in names and names != [word]:
            raise UsageError(f"--feature {word} cannot be listed with other features.")
    if names in ([ALL_FEATURES], [AUTO_FEATURE]):
        model_config = load_model_config(request)
        features = sorted(registry.require_model_type(model_config.model_type, request.model))
        return features if names == [ALL_FEATURES] else [infer_feature(model_config, features)]
    return list(dict.fromkeys(registry.canonical_feature(name) for name in names))


def infer_feature(model_config: Any, features: list[str]) -> str:
    """The feature whose model class is the checkpoint's ``architectures[0]``: a generation head's ``-with-past``
    variant when registered (that is what generation needs), a base model's plain ``default``, a pretraining
    checkpoint's ``masked-lm``; works offline, from config.json alone."""
    architectures = getattr(model_config, "architectures", None) or []
    if not architectures:
        raise UsageError(
            "--feature auto needs the architectures field of the checkpoint's config.json, which it lacks; name"
            f" the feature: {', '.join(features)}."
        )
    wanted = architectures[0].removeprefix("TF")
    matching = []
    for feature in features:
        try:
            model_class = mapped_class(model_class_for(feature, "pt", model_config.model_type), model_config)
        except UnknownFeatureError:
            continue
        if model_class is not None and model_class.__name__ == wanted:
            matching.append(feature)
    if not matching and wanted.endswith("ForPreTraining") and "masked-lm" in features:
        matching = ["masked-lm"]  # a pretraining checkpoint has the masked-LM head (and others no export uses)
    if {"masked-lm", "causal-lm"} <= set(matching):  # one LM head class for both (XLM, Flaubert): as trained
        causal = getattr(model_config, "causal", False) or getattr(model_config, "is_decoder", False)
        matching.remove("masked-lm" if causal else "causal-lm")
    if not matching:
        raise UsageError(
            f"--feature auto: no installed feature of {model_config.model_type} loads {architectures[0]}; name the"
            f" feature: {', '.join(features)}."
        )
    generating = [
        feature for feature in matching if feature.endswith("-with-past") and not feature.startswith("default")
    ]
    return (generating or sorted(matching, key=len))[0]


def run_exports(request: ExportRequest, progress: Progress = lambda message: None) -> list[FeatureOutcome]:
    """Export every feature ``request.feature`` names into ``request.output/<feature>`` in one process, so the
    libraries import once (about 6 s of every run here). Each feature is its own atomic export; a failed one is
    reported and the others still run. A single feature goes to ``request.output`` itself, as by run_export."""
    features = requested_features(request)
    if len(features) == 1:
        single = dataclasses.replace(request, feature=features[0])
        return [FeatureOutcome(features[0], Path(request.output), run_export(single, progress))]
    check_native_paths(model_path=request.model, output_path=request.output)
    check_feature_folders(Path(request.output))
    for feature in features:  # every feature's folder (and OUT/FEATURE.failed) is refused up front
        StagedOutput(Path(request.output) / feature, request.keep_failed, request.model, request.allow_other_files)
    check_preprocessor_files(request.model)  # once for all features, before the first loads
    if request.device != "cpu" and choose_framework(request.model, request.framework) == "pt":
        check_device(request.device)
    everything = _feature_names(request) == [ALL_FEATURES]
    outcomes = []
    for index, feature in enumerate(features, 1):
        output = Path(request.output) / feature
        progress(f"[{index}/{len(features)}] {feature} -> {output}")
        try:
            result = run_export(dataclasses.replace(request, feature=feature, output=output), progress)
            outcomes.append(FeatureOutcome(feature, output, result))
        except KeyboardInterrupt as stop:
            for done in outcomes:
                if done.result is not None:
                    note_written(stop, done.output)
            raise
        except OnnxcoreError as exc:
            skipped = isinstance(exc, NoFrameworkClassError | LayoutNotApplicableError) and everything
            outcomes.append(FeatureOutcome(feature, output, error=_detached(exc), skipped=skipped))
        return_free_memory()  # the next feature's export starts from the memory the first one started from
    return outcomes


def _detached(exc: OnnxcoreError) -> OnnxcoreError:
    """``exc`` without the frames of the failed export (its model, its ONNX Runtime sessions), so that keeping
    the error for the report keeps none of them in memory."""
    for error in exception_chain(exc):
        traceback.clear_frames(error.__traceback__)
    return exc


def return_free_memory() -> None:
    """Collect garbage and give freed heap back to the system (glibc keeps it otherwise), so that a large model
    freed here does not stay in the process's resident memory."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: its allocator decides
        pass


@dataclasses.dataclass
class PendingChecks:
    """What validation needs from the framework model, taken before the model is freed: its outputs on the
    validation inputs per file, and its ``generate()`` tokens where the generation check applies."""

    references: dict[str, ReferenceRun]  # by check name (a file, or a branch of the merged decoder)
    files: dict[str, str]  # the file each check runs
    output_names: dict[str, list[str]]
    generation: GenerationReference | None
    generation_target: str  # what the generation loop runs: the file, or the folder of the split files
    atol: float
    variants: tuple[Variant, ...] = ()
    split: bool = False
    rounding_noise: bool = True  # whether float32's own rounding noise may widen atol (not for a given --atol)


def prepare_checks(
    parts: list[ExportPart],
    onnx_config: Any,
    model: Any,
    preprocessor: Any,
    planned: Plan,
    atol: float,
    progress: Progress,
    rounding_noise: bool = True,
) -> PendingChecks:
    """Run the framework model for every file's validation and for the generation check; ``rounding_noise``: see
    :attr:`PendingChecks.rounding_noise`."""
    request = planned.request
    generation = None  # first: generate()'s own memory then comes on top of the weights alone, not the references
    if request.generation_check and can_check_generation(onnx_config, model, request.layout):
        progress(f"Generating {request.max_new_tokens} tokens with generate()")
        generation = generation_reference(model, preprocessor, request.prompts, request.max_new_tokens)
        return_free_memory()
    progress(f"Running the {framework_of(model).label} model on the validation inputs")
    references = {part.check_name: reference_run(part.config, preprocessor, part.model) for part in parts}
    output_names = {part.check_name: list(part.config.outputs) for part in parts}
    files = {part.check_name: part.checked_file for part in parts}
    target = onnx_path(planned.runtime, ONNX_FILE_NAME) if request.layout == "single" else planned.runtime.onnx_folder
    split = request.layout != "single"
    return PendingChecks(
        references, files, output_names, generation, target, atol, planned.variants, split, rounding_noise
    )


def run_checks(
    pending: PendingChecks, folder: Path, progress: Progress
) -> tuple[dict[str, ValidationReport], GenerationReport | None, dict[str, VariantReport]]:
    """Validate each file in ``folder`` in ONNX Runtime, then greedy generation, then each variant against its
    thresholds; raises ValidationError."""
    reports: dict[str, ValidationReport] = {}
    # sessions are kept for the generation check only: without it one session at a time is enough
    sessions: dict[Path, Any] | None = {} if pending.generation is not None else None
    strict = all(reference.dtype == "float32" for reference in pending.references.values())
    for name in list(pending.references):
        progress(f"Validating {name} in ONNX Runtime (atol {pending.atol:g})")
        # a reference the variants do not need goes once checked: a decoder's past is gigabytes on a large model
        reference = pending.references[name] if pending.variants else pending.references.pop(name)
        checked = folder / pending.files[name]
        if sessions:  # one file's session at a time: each maps its weights (whisper-large-v3's encoder: 2.5 GB)
            for other in [path for path in sessions if path != checked]:
                del sessions[other]
        reports[name] = _check_part(
            name, reference, checked, pending.output_names[name], pending.atol, sessions, pending.rounding_noise
        )
        del reference
        return_free_memory()  # arrays of tens of MB come from glibc's heap, which keeps them unless trimmed
    generation = None
    not_run = not_run_files(reports)
    if pending.generation is not None and not_run:
        warnings.warn(f"greedy generation was not checked: ONNX Runtime could not run {_names(not_run)}.", stacklevel=2)
    elif pending.generation is not None:
        progress("Checking greedy generation in ONNX Runtime against generate()")
        generation = compare_generation(folder / pending.generation_target, pending.generation, sessions, strict)
    del sessions  # the fp32 files' sessions go before the variants' load
    variants = {variant.name: _check_variant(variant, pending, folder, progress) for variant in pending.variants}
    return reports, generation, variants


def _check_variant(variant: Variant, pending: PendingChecks, folder: Path, progress: Progress) -> VariantReport:
    """Take one variant's metrics (and greedy tokens) and hold them to its thresholds."""
    progress(f"Validating the {variant.name} variant in ONNX Runtime")
    sessions: dict[Path, Any] = {}  # this variant's, freed before the next one loads
    report = check_variant(variant, pending.references, pending.files, pending.output_names, folder, sessions)
    if pending.generation is not None:
        target = folder / pending.generation_target
        report.generation = variant_generation(variant, target, pending.generation, pending.split, sessions)
    if not report.ok:
        raise ValidationError(
            f"the {variant.name} variant misses its thresholds ({'; '.join(report.failures)})."
            f" Drop {variant.name} from --quantize, or set its thresholds ({variant.name}:cosine=...) after checking"
            " the variant with --keep-failed."
        )
    return report


def _check_part(
    name: str,
    reference: ReferenceRun,
    onnx_file: Path,
    output_names: list[str],
    atol: float,
    sessions: dict[Path, Any] | None,
    rounding_noise: bool = True,
) -> ValidationReport:
    """Validate one exported file (or branch) against the reference run made before the model was freed."""
    try:
        report = check_onnx_outputs(reference, onnx_file, output_names, atol, sessions, rounding_noise)
    except ValidationError as exc:
        if name == ONNX_FILE_NAME:
            raise
        raise ValidationError(f"{name}: {exc}") from exc
    if report.not_run is not None:
        warnings.warn(
            f"{name} was not run in ONNX Runtime: {report.not_run}, so its outputs are unchecked (onnxcore.json"
            " says so); run it with a provider that has the kernel, CUDA for one.",
            stacklevel=2,
        )
    return report


@dataclasses.dataclass
class RevalidationResult:
    """``validate FOLDER``: the export's manifest and how its files compare with the checkpoint now."""

    folder: Path
    model: str
    manifest: dict[str, Any]
    validation: dict[str, ValidationReport]
    generation: GenerationReport | None
    variants: dict[str, VariantReport] = dataclasses.field(default_factory=dict)


def _warn_if_redrawn_differently(folder: Path, manifest: Mapping[str, Any]) -> None:
    """Weights the checkpoint lacked were drawn from a fixed seed at export; other framework or transformers
    versions may draw them differently, and validation then fails for a reason the user should know."""
    recorded = manifest.get("versions", {})
    drawing = [
        name
        for name in framework_packages(manifest.get("framework", "pt"))
        if name not in ("tf2onnx", "onnx", "onnxruntime")
    ]
    changed = [
        f"{name} {recorded.get(name)} -> {installed_version(name)}"
        for name in drawing
        if recorded.get(name) != installed_version(name)
    ]
    if changed:
        warnings.warn(
            f"{folder} has weights its checkpoint lacks ({_names(manifest['newly_initialized'])}), drawn from seed"
            f" {INITIALIZATION_SEED} at export; with {', '.join(changed)} they may be drawn differently, and the"
            " outputs that use them will not match.",
            stacklevel=3,
        )


def validate_export(
    folder: Path,
    model: str | None = None,
    atol: float | None = None,
    generation_check: bool | None = None,
    trust_remote_code: bool = False,
    progress: Progress = lambda message: None,
    cache_dir: str | None = None,
) -> RevalidationResult:
    """Validate an existing export again against its source checkpoint (``model``, else the one its manifest
    names): the files must be those the manifest hashed, and every ONNX file must match the model in ONNX Runtime
    (and generate the same tokens, where the export was checked so). Raises ValidationError on a mismatch."""
    folder = Path(folder)
    check_native_paths(export_folder=folder, model_path=model)
    if not folder.is_dir():
        read_manifest(folder)  # the one line saying so
    # the shared side of the commit lock, from the manifest to the last file read: an export moving into the folder
    # finishes first, so the manifest and the files are of one export
    with folder_locked(folder.resolve().parent, shared=True):
        manifest = read_manifest(folder)
        source = model or manifest["model"]
        if model is None and not Path(source).exists() and not HUB_ID.match(source):
            raise ModelPathError(
                f"the checkpoint {source!r} recorded in {MANIFEST_NAME} is not there; pass its folder with -m."
            )
        if manifest.get("newly_initialized"):
            _warn_if_redrawn_differently(folder, manifest)
        recorded = manifest.get("generation") or {}
        request = ExportRequest(
            model=source,
            output=folder,
            feature=manifest["feature"],
            framework=manifest.get("framework", "pt"),
            exporter=manifest["exporter"],
            layout=manifest.get("layout", "single"),
            runtime=manifest.get("runtime", DEFAULT_RUNTIME),
            preprocessor=manifest.get("preprocessor", "auto"),
            cache_dir=cache_dir,
            trust_remote_code=trust_remote_code,
            generation_check=bool(recorded) if generation_check is None else generation_check,
            prompts=tuple(recorded.get("prompts") or DEFAULT_PROMPTS),
            max_new_tokens=recorded.get("max_new_tokens", DEFAULT_MAX_NEW_TOKENS),
            quantize=recorded_variants(manifest),
            dtype=recorded_dtype(manifest),
        )
        planned = plan(request, progress)
        if planned.registration.model_type != manifest["model_type"]:
            raise UsageError(
                f"{source} is a {planned.registration.model_type} checkpoint, but {folder} was exported from a"
                f" {manifest['model_type']} one; pass the checkpoint it was exported from with -m."
            )
        if f"{DECODER_WITH_PAST}.onnx" in manifest["files"]:
            raise UsageError(
                f"{folder} is a split export of an earlier onnxcore (decoder_model.onnx and"
                f" decoder_with_past_model.onnx), which this version no longer writes or checks; export it again."
            )
        recorded_atol = next(iter(manifest.get("validation", {}).values()), {}).get("atol")
        progress(f"Checking the files of {folder} against {MANIFEST_NAME}")
        check_file_hashes(folder, manifest)
        loaded = load(planned, progress)
        given = atol is not None
        checked = check(planned, loaded, folder, atol if given else recorded_atol, progress, strict_atol=given)
        return RevalidationResult(folder, source, manifest, *checked)


def recorded_variants(manifest: Mapping[str, Any]) -> str | None:
    """The ``--quantize`` value that re-checks the variants an export's manifest records, at their thresholds."""
    variants = manifest.get("variants") or {}
    if not isinstance(variants, Mapping):
        return None
    return (
        ",".join(
            ":".join([name, *(f"{metric}={value!r}" for metric, value in (entry.get("thresholds") or {}).items())])
            for name, entry in variants.items()
        )
        or None
    )


def check_export_generation(
    model: str,
    onnx: Path,
    prompts: tuple[str, ...] = DEFAULT_PROMPTS,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
    trust_remote_code: bool = False,
    progress: Progress = lambda message: None,
) -> GenerationReport:
    """Run the generation check on an existing export (``onnx``: its folder or .onnx file) against ``model``."""
    onnx = Path(onnx)
    check_native_paths(export_path=onnx, model_path=model)
    if not onnx.exists():
        raise ModelPathError(f"{onnx} does not exist; pass the folder that onnxcore export wrote.")
    folder = onnx if onnx.is_dir() else onnx.parent
    own_manifest = (folder / MANIFEST_NAME).is_file()
    if folder.name == ONNX_FOLDER and not own_manifest and (folder.parent / MANIFEST_NAME).is_file():  # transformers.js
        folder = folder.parent
    check_generation_settings(prompts, max_new_tokens)
    saved = read_export_settings(folder)
    files = folder / runtime_named(saved["runtime"]).onnx_folder
    target = files if saved["layout"] == "split" else (onnx if onnx.is_file() else files / ONNX_FILE_NAME)
    if not target.exists():
        raise ModelPathError(f"{onnx} has no {ONNX_FILE_NAME}; pass the folder that onnxcore export wrote.")
    request = ExportRequest(
        model=model,
        output=folder,
        feature=saved["feature"],
        exporter=saved["exporter"],
        layout=saved["layout"],
        runtime=saved["runtime"],
        trust_remote_code=trust_remote_code,
        dtype=saved["dtype"],
    )
    planned = plan(dataclasses.replace(request, framework=saved["framework"], generation_check=False), progress)
    loaded = load(planned, progress)
    if not can_check_generation(loaded.onnx_config, loaded.model, request.layout):
        raise UsageError(
            f"{onnx} is a {request.feature} export ({request.layout} layout); the generation check needs a"
            " causal-lm-with-past export, or a seq2seq-lm export made with --layout split."
        )
    return check_generation(target, loaded.model, loaded.preprocessor, prompts, max_new_tokens)
