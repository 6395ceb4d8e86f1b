"""Loading the framework model of a checkpoint for one feature: load errors become one-line user errors, and the
weights a checkpoint lacks (a task head on a base checkpoint) are drawn from a fixed seed and named, so the
export says so and ``onnxcore validate`` can draw the same ones again."""

from __future__ import annotations

import contextlib
import pickle
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .errors import ModelPathError, exception_chain, first_line
from .features import FeaturesManager
from .frameworks import get_framework
from .patching import attention_for
from .registry import ConfigRegistration

if TYPE_CHECKING:
    from .pipeline import ExportRequest

INITIALIZATION_SEED = 0


def load_model(request: ExportRequest, registration: ConfigRegistration, framework: str) -> tuple[Any, list[str]]:
    """The checkpoint's model class for the feature (models without SDPA fall back to eager attention), and the
    weights the checkpoint lacked, which transformers drew from :data:`INITIALIZATION_SEED`: outputs that use
    them are random, not the checkpoint's."""
    if framework == "tf":
        return _load_model(request, registration, framework, None)
    try:
        return _load_model(request, registration, framework, attention_for(request.exporter))
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
    try:
        with seeded_initialization(framework):
            model, loading = FeaturesManager.get_model_from_feature(
                registration.feature,
                request.model,
                framework=framework,
                cache_dir=request.cache_dir,
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
    """The checkpoint's weight dtype (its config.json's) and the loaded model's, which the export writes; warns
    when they differ (transformers loads float16 and bfloat16 checkpoints as float32), and makes ``model_config``
    say what the graph is, since it is saved beside the export."""
    dtypes = {"checkpoint": dtype_name(getattr(model_config, "dtype", None)), "export": dtype_name(model.dtype)}
    if dtypes["checkpoint"] is not None and dtypes["checkpoint"] != dtypes["export"]:
        warnings.warn(
            f"{model_name} has {dtypes['checkpoint']} weights; they are loaded and exported as {dtypes['export']}"
            f" (the saved config.json says {dtypes['export']}, onnxcore.json records both).",
            stacklevel=3,
        )
        model_config.dtype = dtypes["export"]
    return dtypes
