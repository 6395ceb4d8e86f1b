"""Reading a checkpoint: its config (AutoConfig), which framework its weights are in, the framework model for a
feature, and its preprocessor. Every failure is one line naming the file and the fix.

Load errors become user errors; the weights a checkpoint lacks (a task head on a base checkpoint) are drawn from a
fixed seed and named, so the export says so and ``onnxcore validate`` can draw the same ones again. The
``FeaturesManager`` facade (:mod:`onnxcore.features`) answers the transformers.onnx API from these functions.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import math
import os
import pickle
import re
import warnings
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from .errors import (
    FrameworkError,
    ModelPathError,
    NoFrameworkClassError,
    UnknownFeatureError,
    UnknownModelTypeError,
    UsageError,
    exception_chain,
    first_line,
)
from .frameworks import FRAMEWORKS, check_tensorflow_size, get_framework
from .plugins import get_registry
from .precision import DTYPES
from .registry import ConfigRegistration, normalize_model_type
from .request import ExportRequest
from .utils import get_preprocessor

PT_WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


TF_WEIGHT_FILES = ("tf_model.h5", "tf_model.h5.index.json")


def _weights_options(model: str, framework: str) -> dict[str, bool]:
    """``from_pt``/``from_tf`` when a local folder has the other framework's weights only (converted on load)."""
    path = Path(model)
    if not path.is_dir():
        return {}
    has_pt = any((path / name).is_file() for name in PT_WEIGHT_FILES)
    has_tf = any((path / name).is_file() for name in TF_WEIGHT_FILES)
    if framework == "tf" and has_pt and not has_tf:
        return {"from_pt": True}
    if framework == "pt" and has_tf and not has_pt:
        return {"from_tf": True}
    return {}


def _import_class(path: str) -> Any:
    """The class ``path`` names: ``module:Name``, a transformers name, or alternatives joined by ``|``, of which
    the first this transformers has (transformers 5 dropped ``AutoModelForVision2Seq`` for
    ``AutoModelForImageTextToText``)."""
    *preferred, last = path.split("|")
    for alternative in preferred:
        with contextlib.suppress(AttributeError, ModuleNotFoundError):
            return _import_class(alternative)
    if ":" in last:
        module, _, name = last.partition(":")
        return getattr(importlib.import_module(module), name)
    import transformers  # lazily: keeps `import onnxcore` light

    return getattr(transformers, last)


HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


PREPROCESSOR_CHOICES = ("auto", "tokenizer", "feature_extractor", "image_processor", "processor")


def load_model_config(request: ExportRequest) -> Any:
    from transformers import AutoConfig  # lazily: keeps `import onnxcore` light

    path = Path(request.model).expanduser()
    if path.exists():
        if not path.is_dir() or not (path / "config.json").is_file():
            raise ModelPathError(f"{request.model} is not a model folder: it has no config.json.")
    elif not HUB_ID.match(request.model):
        raise ModelPathError(f"model path {request.model} does not exist; pass a folder with config.json or a hub id.")
    try:
        return AutoConfig.from_pretrained(
            request.model, cache_dir=request.cache_dir, trust_remote_code=request.trust_remote_code
        )
    except ValueError as exc:
        if "trust_remote_code" in str(exc):
            raise UsageError(
                f"{request.model} needs its own code to load; rerun with --trust-remote-code if you trust it."
            ) from exc
        unknown = re.search(r"has model type `([^`]*)` but Transformers does not recognize", str(exc))
        if unknown:
            raise UnknownModelTypeError(
                f"{request.model} has model type {unknown.group(1)!r}, which transformers"
                f" {installed_version('transformers')} does not know; check config.json's model_type, or upgrade"
                " transformers."
            ) from exc
        raise ModelPathError(f"cannot read the config of {request.model}: {first_line(exc)}") from exc
    except OSError as exc:
        if path.exists():
            raise ModelPathError(f"cannot read {path / 'config.json'}: {exc}") from exc
        raise ModelPathError(
            f"no local folder {request.model!r}, and it could not be loaded from the Hugging Face Hub (offline or"
            " unknown id); pass a local folder with config.json."
        ) from exc


# The JSON files transformers reads a checkpoint's preprocessor from, by the part each belongs to
_PREPROCESSOR_FILES = {
    "tokenizer.json": "tokenizer",
    "tokenizer_config.json": "tokenizer",
    "special_tokens_map.json": "tokenizer",
    "added_tokens.json": "tokenizer",
    "vocab.json": "tokenizer",
    "preprocessor_config.json": "preprocessor",
    "processor_config.json": "processor",
}


def check_preprocessor_files(model: str) -> None:
    """Every preprocessor file of a local checkpoint reads. A damaged one otherwise fails deep in transformers
    (tokenizers raises a bare Exception naming no file), or get_preprocessor takes it for a missing preprocessor
    and the export goes on without one."""
    folder = Path(model).expanduser()
    if not folder.is_dir():
        return  # a hub id: transformers downloads its files and reports what it cannot read
    for name, part in _PREPROCESSOR_FILES.items():
        path = folder / name
        if not path.is_file():
            continue
        try:
            problem = _preprocessor_file_problem(path)
        except OSError as exc:
            raise UsageError(f"cannot read the {part} of {model}: {name}: {exc.strerror or exc}.") from exc
        if problem is not None:
            raise UsageError(f"cannot read the {part} of {model}: {name} is damaged ({problem}); save it again.")


def _preprocessor_file_problem(path: Path) -> str | None:
    """What is wrong with a preprocessor file's content, or None when it reads."""
    if path.name == "tokenizer.json":
        from tokenizers import Tokenizer  # lazily: keeps `import onnxcore` light

        try:
            Tokenizer.from_file(str(path))  # the reader transformers uses: it also refuses JSON that is no tokenizer
        except Exception as exc:  # tokenizers raises a bare Exception for any content it cannot read
            return first_line(exc)
        return None
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        return first_line(exc)
    return None if isinstance(content, dict) else "not a JSON object"


def check_native_paths(**paths: str | Path | None) -> None:
    """Each path (named by what it is: ``output_path=...``) can be handed to torch, ONNX Runtime and safetensors,
    which take paths as UTF-8 text. A name Python holds as surrogates (bytes that are not UTF-8, or any non-ASCII
    name in the C locale outside UTF-8 mode) otherwise fails inside them with a TypeError that names no path."""
    for what, path in paths.items():
        if path is None or _is_text(str(path)):
            continue
        raw = os.fsencode(path)
        label = what.replace("_", " ")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise UsageError(
                f"the {label} {raw!r} is not UTF-8 text, which torch and ONNX Runtime need; rename it."
            ) from None
        raise UsageError(
            f"the {label} {text} reached Python undecoded (a C locale outside UTF-8 mode), and torch and ONNX"
            " Runtime cannot open it so; run with PYTHONUTF8=1 (or LC_ALL=C.UTF-8)."
        )


def _is_text(name: str) -> bool:
    """Whether ``name`` is text (no surrogates standing for undecodable bytes)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load_preprocessor(request: ExportRequest) -> Any:
    import transformers  # lazily: keeps `import onnxcore` light

    if request.preprocessor == "auto":
        preprocessor = get_preprocessor(request.model)
        if preprocessor is None:
            warnings.warn(
                f"{request.model} has no tokenizer or preprocessor that loads; the example inputs are made from its"
                " config alone, and the export has no preprocessor files to ship beside the model.",
                stacklevel=2,
            )
        return preprocessor
    loader = {
        "tokenizer": transformers.AutoTokenizer,
        "feature_extractor": transformers.AutoFeatureExtractor,
        "image_processor": transformers.AutoImageProcessor,
        "processor": transformers.AutoProcessor,
    }[request.preprocessor]
    try:
        return loader.from_pretrained(request.model, cache_dir=request.cache_dir)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"cannot load a {request.preprocessor} from {request.model} ({first_line(exc)}); use --preprocessor auto."
        ) from exc


def resolve(request: ExportRequest) -> tuple[Any, ConfigRegistration]:
    """Read the checkpoint's config and find the registered OnnxConfig for the requested feature; check that its
    preprocessor files read before any model loads."""
    model_config = load_model_config(request)
    registration = get_registry().resolve(model_config.model_type, request.feature, request.model)
    check_preprocessor_files(request.model)
    return model_config, registration


def choose_framework(model: str, framework: str | None) -> str:
    """``framework``, or the one the checkpoint's weight files are in; either must be installed."""
    try:
        framework = detect_framework(model, framework)
    except FileNotFoundError as exc:
        raise ModelPathError(str(exc)) from exc
    require_framework(framework)
    return framework


def check_framework_class(registration: ConfigRegistration, model_config: Any, framework: str) -> None:
    """Refuse a TF feature that transformers has no TF model class for, before loading. (PyTorch classes exist for
    every registered feature, and remote-code configs map through ``auto_map``, not the auto mapping.)"""
    if framework != "tf" or getattr(model_config, "auto_map", None):
        return
    try:
        model_class = model_class_for(registration.feature, framework, registration.model_type)
    except UnknownFeatureError:  # the task has no auto class in this framework at all
        model_class = None
    if model_class is None or mapped_class(model_class, model_config) is None:
        auto = f" ({model_class.__name__})" if model_class is not None else ""
        raise NoFrameworkClassError(
            f"transformers has no TensorFlow {registration.model_type} model for {registration.feature}{auto};"
            " export this feature from the PyTorch weights (--framework pt)."
        )


def check_tensorflow_checkpoint_size(model: str, framework: str) -> None:
    """Refuse a TensorFlow export too large for tf2onnx before the model loads (minutes and gigabytes for a
    checkpoint converted from PyTorch weights), where a local checkpoint's files tell its size."""
    if framework == "tf" and (weight_bytes := checkpoint_weight_bytes(model)) is not None:
        check_tensorflow_size(weight_bytes, model)


def checkpoint_weight_bytes(model: str) -> int | None:
    """A local checkpoint's weights as TensorFlow loads them, in float32 bytes: its TF files' sizes, else the
    element counts in its safetensors headers, else its PyTorch pickles' sizes; None for a hub id or no weights."""
    path = Path(model)
    if not path.is_dir():
        return None
    if tf_files := list(path.glob("tf_model*.h5")):
        return sum(file.stat().st_size for file in tf_files)
    if safetensors := list(path.glob("*.safetensors")):
        from safetensors import safe_open  # lazily: keeps `import onnxcore` light

        elements = 0
        for file in safetensors:
            with safe_open(file, framework="numpy") as tensors:
                elements += sum(math.prod(tensors.get_slice(name).get_shape()) for name in tensors.keys())
        return 4 * elements
    pickles = list(path.glob("pytorch_model*.bin"))
    return sum(file.stat().st_size for file in pickles) if pickles else None


def check_device(device: str) -> None:
    """``--device`` names a device PyTorch has here. The exporter would otherwise export on the CPU without a word
    for a typo or on a machine without a GPU."""
    if device == "cpu":
        return
    pytorch: Any = get_framework("pt").ops  # its device functions are PyTorch's own, not FrameworkOps
    try:
        kind, index = pytorch.parse_device(device)
    except (RuntimeError, ValueError) as exc:
        raise UsageError(
            f"--device {device} is not a device PyTorch knows; use --device cpu, or cuda on a machine with a GPU."
        ) from exc
    if kind not in ("cpu", "cuda"):
        raise UsageError(f"--device {device}: onnxcore exports on cpu or cuda; use --device cpu.")
    count = pytorch.cuda_device_count() if kind == "cuda" else 0
    if kind == "cuda" and count == 0:
        raise UsageError(f"--device {device}: no CUDA device is available here; use --device cpu.")
    if kind == "cuda" and index is not None and index >= count:
        raise UsageError(f"--device {device}: this machine has CUDA devices cuda:0 to cuda:{count - 1}; pick one.")


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution``, or None."""
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def config_model_types() -> dict[str, str]:
    """transformers' own ``model_type`` spelling of each registry key that differs from it (``big-bird`` ->
    ``big_bird``): the registry keys hyphenated names as transformers.onnx did, configs may use underscores."""
    # lazily: only `features` lists them; the name table loads no model code
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING_NAMES

    return {normalize_model_type(name): name for name in CONFIG_MAPPING_NAMES if normalize_model_type(name) != name}


def require_framework(framework: str) -> None:
    """``framework`` ("pt" or "tf") is installed; else the line saying how to install it."""
    chosen = get_framework(framework)
    if not chosen.installed:
        raise FrameworkError(f"{chosen.needs} is not installed; install it with: {chosen.install}")


def model_class_for(feature: str, framework: str = "pt", model_type: str | None = None) -> type:
    """The class that loads a checkpoint for ``feature`` in ``framework``: the one the registration of
    ``(model_type, feature)`` names, where it names one (no auto class maps Flaubert's causal LM), else the task's
    auto class."""
    require_framework(framework)
    registry = get_registry()
    registration = registry.find(model_type, feature) if model_type else None
    path = registration and (registration.model_class if framework == "pt" else registration.tf_model_class)
    if path is None:
        spec = registry.task_spec(feature)
        path = spec.auto_model if framework == "pt" else spec.tf_auto_model
        if path is None:
            raise UnknownFeatureError(f"task {spec.name!r} has no {framework} model class.")
    get_framework(framework).ops  # noqa: B018 - imported before transformers imports it: Keras 2 for TF
    return _import_class(path)


def checkpoint_model_type(model: str, cache_dir: str | os.PathLike[str] | None = None) -> str | None:
    """The ``model_type`` in the config.json of ``model`` (local folder or hub id), read without building the
    config; None when it cannot be read, so that loading the model reports what is wrong."""
    from transformers import PretrainedConfig  # lazily: keeps `import onnxcore` light

    try:
        config, _ = PretrainedConfig.get_config_dict(model, cache_dir=cache_dir)
    except (OSError, ValueError):
        return None
    model_type = config.get("model_type")
    return model_type if isinstance(model_type, str) else None


def mapped_class(model_class: type, model_config: Any) -> type | None:
    """The model class ``model_class`` builds for ``model_config``: an auto class's entry for the config's class
    (None when it has none), or ``model_class`` itself when it is a model class."""
    mapping = getattr(model_class, "_model_mapping", None)
    if mapping is None:
        return model_class
    try:
        return mapping[type(model_config)]
    except KeyError:
        return None


def model_from_config(model_class: type, model_config: Any) -> Any:
    """A model of ``model_class`` (an auto class or a model class) with random weights."""
    if hasattr(model_class, "_model_mapping"):
        return model_class.from_config(model_config)  # type: ignore[attr-defined]
    return model_class(model_config)


def detect_framework(model: str, framework: str | None = None) -> str:
    """``framework`` if given; else by the weight files of a local folder (safetensors count as PyTorch); else
    PyTorch when installed, then TensorFlow."""
    if framework is not None:
        return framework
    path = Path(model)
    if path.is_dir():
        if any((path / name).is_file() for name in PT_WEIGHT_FILES):
            return "pt"
        if any((path / name).is_file() for name in TF_WEIGHT_FILES):
            return "tf"
        raise FileNotFoundError(
            f"no model weights in {model}: expected one of {', '.join(PT_WEIGHT_FILES + TF_WEIGHT_FILES)}."
        )
    for candidate in FRAMEWORKS.values():
        if candidate.installed:
            return candidate.name
    raise OSError("Neither PyTorch nor TensorFlow is installed; install torch==2.13.0 or onnxcore[tf].")


def load_for_feature(
    feature: str,
    model: str,
    framework: str | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    model_type: str | None = None,
    **model_kwargs: Any,
) -> Any:
    """Load ``model`` (local folder or hub id) with the class of ``feature`` for ``model_type``
    (:func:`model_class_for`); extra keyword arguments go to ``from_pretrained``. A local folder's weights are
    known, so a load error is never retried as the other framework's."""
    framework = detect_framework(model, framework)
    model_class = model_class_for(feature, framework, model_type)
    options = _weights_options(model, framework)
    if options or Path(model).is_dir():
        return model_class.from_pretrained(model, cache_dir=cache_dir, **options, **model_kwargs)
    # transformers 4.57 fails to read PyTorch safetensors into a TF model unless told from_pt (a TypeError)
    other_weights = (OSError, TypeError) if framework == "tf" else OSError
    try:
        return model_class.from_pretrained(model, cache_dir=cache_dir, **model_kwargs)
    except other_weights:
        other = {"from_tf": True} if framework == "pt" else {"from_pt": True}
        return model_class.from_pretrained(model, cache_dir=cache_dir, **other, **model_kwargs)


INITIALIZATION_SEED = 0


def load_model(request: ExportRequest, registration: ConfigRegistration, framework: str) -> tuple[Any, list[str]]:
    """The checkpoint's model class for the feature, with the attention its exporter needs (models without SDPA
    fall back to eager), and the weights the checkpoint lacked, which transformers drew from
    :data:`INITIALIZATION_SEED`: outputs that use them are random, not the checkpoint's."""
    registry = get_registry()
    exporter = registry.exporters.get(request.exporter or "") or registry.exporters_for(framework)[0]
    if exporter.framework != framework or exporter.attention is None:
        return _load_model(request, registration, framework, None)
    try:
        return _load_model(request, registration, framework, exporter.attention)
    except ModelPathError as exc:
        if not any(word in str(exc.__cause__) for word in ("sdpa", "scaled_dot_product_attention")):
            raise
        return _load_model(request, registration, framework, "eager")


@contextlib.contextmanager
def seeded_initialization(framework: str) -> Iterator[None]:
    """Draw missing weights from :data:`INITIALIZATION_SEED`, leaving the caller's PyTorch RNG as it was.

    Keras draws from Python's and NumPy's generators too (their states are restored); TensorFlow has no way to
    restore its global seed, so a TF load leaves it set.
    """
    with get_framework(framework).ops.seeded(INITIALIZATION_SEED):
        yield


def _load_model(
    request: ExportRequest, registration: ConfigRegistration, framework: str, attention: str | None
) -> tuple[Any, list[str]]:
    from safetensors import SafetensorError  # lazily: keeps `import onnxcore` light

    options = {} if attention is None else {"attn_implementation": attention}
    if framework == "pt":  # --dtype's; by default float32, as transformers 4 loads checkpoints (5 keeps their dtype)
        options["dtype"] = DTYPES[request.dtype]
    try:
        with seeded_initialization(framework):
            model, loading = load_for_feature(
                registration.feature,
                request.model,
                framework=framework,
                cache_dir=request.cache_dir,
                model_type=registration.model_type,
                trust_remote_code=request.trust_remote_code,
                output_loading_info=True,
                **options,
            )
        return model, sorted(loading.get("missing_keys", []))
    except SafetensorError as exc:
        raise ModelPathError(
            f"the weights file of {request.model} is damaged ({first_line(exc)}); save or download it again."
        ) from exc
    except (OSError, ValueError, RuntimeError, pickle.UnpicklingError) as exc:  # transformers 5 lets the last out
        raise ModelPathError(f"cannot load the model weights of {request.model}: {_load_error(exc)}") from exc
    except (TypeError, ZeroDivisionError, OverflowError) as exc:  # a config.json field of the wrong type or value
        raise ModelPathError(
            f"cannot build the {registration.model_type} model from the config.json of {request.model}"
            f" ({type(exc).__name__}: {first_line(exc)}); check its fields."
        ) from exc


def _load_error(exc: BaseException) -> str:
    """What a load error says is wrong: a state-dict error's first line names only the module, its size
    mismatches are the news; a pickle that ``weights_only`` refused is said as such (transformers' own message
    suggests ``from_tf``)."""
    if any("Weights only load failed" in str(cause) for cause in exception_chain(exc)):
        return (
            "its .bin weights hold objects other than tensors, which are not unpickled (weights_only=True:"
            " unpickling can run code); use a safetensors copy of the checkpoint, or convert it with a tool you trust"
        )
    mismatch = next((line.strip() for line in str(exc).splitlines() if line.strip().startswith("size mismatch")), None)
    return f"the weights do not match config.json ({mismatch})" if mismatch else first_line(exc)


def dtype_name(dtype: Any) -> str | None:
    """``"float16"`` for ``torch.float16``, a TF dtype or the string itself; None when not recorded."""
    if dtype is None:
        return None
    return str(getattr(dtype, "name", None) or dtype).removeprefix("torch.")


def export_dtypes(model_name: str, model_config: Any, model: Any) -> dict[str, str | None]:
    """The checkpoint's weight dtype (its config.json's) and the loaded model's, which the export writes
    (--dtype's, float32 by default); warns when the default changed them, and makes ``model_config`` say what the
    graph is, since it is saved beside the export."""
    dtypes = {"checkpoint": dtype_name(getattr(model_config, "dtype", None)), "export": dtype_name(model.dtype)}
    if dtypes["checkpoint"] is not None and dtypes["checkpoint"] != dtypes["export"]:
        own = next((flag for flag, name in DTYPES.items() if name == dtypes["checkpoint"]), None)
        if dtypes["export"] == DTYPES["fp32"]:  # the default, not what the user asked for: say so
            hint = f"; --dtype {own} exports them as they are" if own else ""
            warnings.warn(
                f"{model_name} has {dtypes['checkpoint']} weights; they are loaded and exported as float32 (the"
                f" saved config.json says float32, onnxcore.json records both){hint}.",
                stacklevel=3,
            )
        model_config.dtype = dtypes["export"]
    return dtypes
