"""``onnxcore.json``: its one writer (:func:`build_manifest`), its one reader (:func:`read_manifest`), and the file
hashes it records.

Every field is checked against the schema before any is used, so a hand-edited or damaged manifest is one line
naming the field (exit 2), never a crash deep in the code that trusted it. The ``files`` table is also the
proof of ownership the output folder contract rests on (DESIGN §7), so its names must be plain file names.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ModelPathError, UsageError, ValidationError, first_line
from .exporters.builtin import DEFAULT_EXPORTER
from .frameworks import get_framework
from .loading import installed_version
from .plugins import get_host
from .precision import DEFAULT_DTYPE, dtype_flag
from .registry import ConfigRegistration
from .request import ExportRequest
from .runtimes import DEFAULT_RUNTIME, ONNX_FOLDER
from .seq2seq import ENCODER

if TYPE_CHECKING:
    from .generation import GenerationReport
    from .validate import ValidationReport

MANIFEST_NAME = "onnxcore.json"
_SHA256 = re.compile(r"[0-9a-f]{64}")
MANIFEST_LIMIT = 64 << 20  # bytes: a manifest lists files, it is never this large


class ManifestError(UsageError):
    """``onnxcore.json`` is there but does not follow the schema."""


def sha256_of(path: Path) -> str:
    """The hex sha256 of a file, read in 1 MiB blocks (external data files can be many GB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_plain_file_name(name: object) -> bool:
    """Whether ``name`` names a file directly inside a folder: not empty, ``.``, ``..``, a path or a NUL."""
    return isinstance(name, str) and name not in ("", ".", "..") and not any(char in name for char in "/\\\0")


def is_export_file_name(name: object) -> bool:
    """Whether ``name`` names a file an export writes: directly in its folder, or in its ``onnx/`` folder."""
    if isinstance(name, str) and name.startswith(ONNX_FOLDER + "/"):
        name = name[len(ONNX_FOLDER) + 1 :]
    return is_plain_file_name(name)


def export_file_names(folder: Path) -> list[str]:
    """The files of an export folder, as its manifest lists them: its own, and those of its ``onnx/`` folder."""
    names = []
    for path in sorted(folder.iterdir()):
        if path.name == ONNX_FOLDER and path.is_dir() and not path.is_symlink():
            names += [f"{ONNX_FOLDER}/{inner.name}" for inner in sorted(path.iterdir())]
        else:
            names.append(path.name)
    return names


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _optional_number(value: Any) -> bool:
    """None, or a finite number of at least 0 (what ``--atol`` takes)."""
    if value is None:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def _object(value: Any) -> bool:
    return isinstance(value, dict)


def _optional_object(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


_FIELD_TYPES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "model": (_text, "a string"),
    "model_type": (_text, "a string"),
    "feature": (_text, "a string"),
    "exporter": (_text, "a string"),
    "files": (_object, "an object of file names"),
    "layout": (_text, "a string"),
    "runtime": (_text, "a string"),
    "framework": (_text, "a string"),
    "preprocessor": (_text, "a string"),
    "opset": (_count, "a whole number"),
    "validation": (_object, "an object"),
    "generation": (_optional_object, "an object or null"),
    "newly_initialized": (_texts, "a list of strings"),
    "versions": (_object, "an object"),
    "dtype": (_object, "an object"),
}
REQUIRED_FIELDS = ("model", "model_type", "feature", "exporter", "files")


def files_problem(files: Any) -> str | None:
    """What is wrong with a manifest's ``files`` table (None: nothing): each key a plain file name, each value
    ``{"sha256": 64 hex digits, "bytes": a count, ...}``."""
    if not isinstance(files, dict):
        return f"files must be an object of file names, not {type(files).__name__}"
    for name, entry in files.items():
        if not is_export_file_name(name) or name == MANIFEST_NAME:
            return f"files has {name!r}, which is not a file name onnxcore writes"
        if not isinstance(entry, dict) or not _SHA256.fullmatch(str(entry.get("sha256", ""))):
            return f"files.{name} has no sha256 of 64 hex digits"
        if not _count(entry.get("bytes")):
            return f"files.{name}.bytes must be a whole number"
    return None


def schema_problem(manifest: dict[str, Any]) -> str | None:
    """What is wrong with a parsed manifest object (None: nothing): every known field of its type, and a valid
    ``files`` table."""
    for field, (fits, kind) in _FIELD_TYPES.items():
        if field in manifest and not fits(manifest[field]):
            return f"{field} must be {kind}, not {json.dumps(manifest[field])[:40]}"
    problem = files_problem(manifest["files"]) if "files" in manifest else None
    for name, report in manifest.get("validation", {}).items():
        if problem is None and not (isinstance(report, dict) and _optional_number(report.get("atol"))):
            problem = f"validation.{name} must be an object with a numeric atol"
    generation = manifest.get("generation") or {}
    if problem is None and not _texts(generation.get("prompts", [])):
        problem = "generation.prompts must be a list of strings"
    if problem is None and not _count(generation.get("max_new_tokens", 0)):
        problem = "generation.max_new_tokens must be a whole number"
    return problem


def parse_manifest_text(text: str) -> Any:
    """JSON as onnxcore writes it: strict, so ``NaN`` and ``Infinity`` are refused like any other error."""

    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    try:
        return json.loads(text, parse_constant=refuse)
    except RecursionError:
        raise ValueError("nested too deeply to be an onnxcore manifest") from None


def read_manifest_text(path: Path) -> str:
    """The text of a manifest file: a regular file (not a FIFO, device or link to one, which would hang or never
    end) of at most :data:`MANIFEST_LIMIT` bytes."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    with open(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise ValueError(f"{path.name} is not a regular file")
        data = handle.read(MANIFEST_LIMIT + 1)
    if len(data) > MANIFEST_LIMIT:
        raise ValueError(f"{path.name} is over {MANIFEST_LIMIT >> 20} MiB")
    return data.decode("utf-8")


def read_manifest(folder: Path) -> dict[str, Any]:
    """The checked ``onnxcore.json`` of an export folder; one-line usage errors when it is absent or invalid."""
    folder = Path(folder)
    manifest_file = folder / MANIFEST_NAME
    if not folder.is_dir():
        raise ModelPathError(f"{folder} is not a folder; pass the folder that onnxcore export wrote.")
    if not manifest_file.is_file():
        raise ModelPathError(f"{folder} has no {MANIFEST_NAME}; pass a folder written by onnxcore export.")
    try:
        manifest = parse_manifest_text(read_manifest_text(manifest_file))
    except (OSError, ValueError) as exc:  # UnicodeDecodeError is a ValueError
        raise ModelPathError(f"cannot read {manifest_file} ({first_line(exc)}); is it an onnxcore export?") from exc
    lacking = [field for field in REQUIRED_FIELDS if not isinstance(manifest, dict) or field not in manifest]
    if lacking:
        raise ModelPathError(f"{manifest_file} has no {', '.join(lacking)}; is it an onnxcore export?")
    problem = schema_problem(manifest)
    if problem is not None:
        raise ManifestError(
            f"{manifest_file} is not valid: {problem}; export again into a new folder, or restore the file."
        )
    return manifest


def _model_reference(model: str) -> str:
    """How the manifest names the checkpoint: a local folder by its absolute path (``validate`` may run from
    anywhere, and a relative name could pass for a hub id), a hub id as given."""
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() else model


def framework_packages(framework: str) -> tuple[str, ...]:
    """The distributions whose versions make an export reproducible."""
    return (*get_framework(framework).distributions, "transformers", "onnx", "onnxruntime")


def build_manifest(
    request: ExportRequest,
    registration: ConfigRegistration,
    opset: int,
    folder: Path,
    contracts: Mapping[str, Any],
    reports: dict[str, ValidationReport],
    generation: GenerationReport | None,
    attention: str | None,
    framework: str = "pt",
    newly_initialized: list[str] | None = None,
    dtypes: Mapping[str, str | None] | None = None,
    optimized: Mapping[str, Any] | None = None,
    variants: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What the folder holds and how it was made, written as ``onnxcore.json``; ``contracts``: each ONNX file's
    OnnxConfig; ``dtypes``: the checkpoint's weight dtype and the export's; ``optimized``: what ``--optimize`` did
    to each traced file; ``variants``: each ``--quantize`` variant's report."""
    files: dict[str, Any] = {}
    for file_name in export_file_names(folder):
        path = folder / file_name
        entry: dict[str, Any] = {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        if file_name in contracts:
            entry["inputs"] = {name: dict(axes) for name, axes in contracts[file_name].inputs.items()}
            entry["outputs"] = {name: dict(axes) for name, axes in contracts[file_name].outputs.items()}
        files[file_name] = entry
    plugin = next(info for info in get_host().plugins if info.name == registration.plugin)
    return {
        "onnxcore": installed_version("onnxcore"),
        "plugin": {"name": plugin.name, "distribution": plugin.distribution, "version": plugin.version},
        "model": _model_reference(request.model),
        "model_type": registration.model_type,
        "feature": registration.feature,
        "framework": framework,
        "exporter": request.exporter,
        "layout": request.layout,
        "runtime": request.runtime,
        "attention": attention,
        "opset": opset,
        "versions": {name: installed_version(name) for name in framework_packages(framework)},
        "files": files,
        "validation": {name: report.as_dict() for name, report in reports.items()},
        "preprocessor": request.preprocessor,
        "generation": generation.as_dict() | {"prompts": list(request.prompts)} if generation else None,
        "newly_initialized": newly_initialized or [],
        "dtype": dict(dtypes or {}),
        "optimization": {"level": request.optimize, "files": dict(optimized or {})} if request.optimize else None,
        "variants": {name: report.as_dict() for name, report in (variants or {}).items()},
    }


def check_file_hashes(folder: Path, manifest: dict[str, Any]) -> None:
    """Every file the manifest lists is there with the recorded sha256."""
    missing = [name for name in manifest["files"] if not (folder / name).is_file()]
    changed = [
        name
        for name, entry in manifest["files"].items()
        if name not in missing and sha256_of(folder / name) != entry["sha256"]
    ]
    if missing or changed:
        problems = [f"missing {', '.join(missing)}"] * bool(missing) + [f"changed {', '.join(changed)}"] * bool(changed)
        raise ValidationError(
            f"{folder} is not the export its {MANIFEST_NAME} describes ({'; '.join(problems)}); export it again."
        )


def read_export_settings(folder: Path) -> dict[str, Any]:
    """Feature, exporter, layout, framework, runtime and --dtype of the export in ``folder``; guessed from its
    files without a manifest (the framework then from the checkpoint)."""
    manifest_file = folder / MANIFEST_NAME
    if not manifest_file.is_file():
        in_subfolder = (folder / ONNX_FOLDER).is_dir()
        runtime = "transformers.js" if in_subfolder else DEFAULT_RUNTIME
        onnx_folder = folder / ONNX_FOLDER if in_subfolder else folder
        split = (onnx_folder / f"{ENCODER}.onnx").is_file()
        return {
            "feature": "seq2seq-lm-with-past" if split else "causal-lm-with-past",
            "exporter": DEFAULT_EXPORTER,
            "layout": "split" if split else "single",
            "framework": None,
            "runtime": runtime,
            "dtype": DEFAULT_DTYPE,
        }
    manifest = read_manifest(folder)
    return {
        "feature": manifest["feature"],
        "exporter": manifest["exporter"],
        "layout": manifest.get("layout", "single"),
        "framework": manifest.get("framework", "pt"),
        "runtime": manifest.get("runtime", DEFAULT_RUNTIME),
        "dtype": recorded_dtype(manifest),
    }


def recorded_dtype(manifest: Mapping[str, Any]) -> str:
    """The --dtype the export in ``manifest`` was made at (``fp32`` when it records none)."""
    return dtype_flag((manifest.get("dtype") or {}).get("export"))
