"""Errors a user can act on.

Every error here carries one sentence naming the problem and the fix; the CLI prints ``str(error)`` on one
line and exits with ``error.exit_code`` (2 for bad input, 1 for a failed export or validation), never a
traceback. Several also subclass the builtin that ``transformers.onnx`` raised in the same place, so code
written against that API keeps catching them.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator, Mapping, Sequence


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (or its type name), for one-line error reports."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def exception_chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc``, then what caused it (``__cause__``, else ``__context__``), and so on; each once."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


class OnnxcoreError(Exception):
    """Base class: a failure explained in one line."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # KeyError would otherwise print the repr of its argument
        return self.message


class UsageError(OnnxcoreError):
    """The request itself is wrong (model, feature, path, opset...)."""

    exit_code = 2


class UnknownModelTypeError(UsageError, KeyError):
    """No installed plugin registered an OnnxConfig for the model type."""


class UnsupportedFeatureError(UsageError, ValueError):
    """The model type is known but not for this feature."""


class UnknownFeatureError(UsageError, KeyError):
    """The feature (or task) name is not registered at all."""


class ModelPathError(UsageError, FileNotFoundError):
    """The model path or hub id cannot be loaded."""


class OpsetError(UsageError, ValueError):
    """The requested opset is outside what the config or exporter supports."""


class OutputPathError(UsageError):
    """The output location cannot receive an export."""


_NO_ROOM = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT, errno.EROFS}


def storage_error(exc: BaseException, output: object) -> OutputPathError | None:
    """An OutputPathError for a write that failed for lack of room (disk full, file size or quota limit) or a
    read-only file system; None for any other error."""
    if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
        return OutputPathError(
            f"cannot write the export to {output}: {exc.strerror}; free some space or pick another path."
        )
    return None


class FrameworkError(UsageError, RuntimeError):
    """The requested framework is unknown or not installed."""


class NoFrameworkClassError(FrameworkError):
    """transformers has no model class for the feature in the chosen framework (``--feature all`` skips it)."""


class TensorFlowTooLargeError(FrameworkError):
    """A TensorFlow model whose weights exceed the 2 GB one protobuf holds: tf2onnx writes them inline, and fails
    only after converting; refused before the model is loaded where its files tell, else before converting."""


class LayoutNotApplicableError(UsageError):
    """The layout does not apply to the feature (an encoder-decoder's classification head in ``--layout split``;
    ``--feature all --layout split`` reports such features as skipped)."""


class ExportFailedError(OnnxcoreError, RuntimeError):
    """The exporter itself failed or wrote something other than what the config declares."""


class ModelForwardError(ExportFailedError):
    """The model's own forward fails on the inputs made for it: the checkpoint cannot run them (its config.json
    does not fit its tokenizer or the input sizes), so no exporter can trace it and none is worth switching to."""


@contextlib.contextmanager
def model_forward_failures(shapes: Mapping[str, Sequence[int]], inputs: str = "example") -> Iterator[None]:
    """Report any failure inside (a call of the model's forward on ``inputs`` of these ``shapes``) as one
    ModelForwardError line; onnxcore's own errors pass unchanged."""
    try:
        yield
    except OnnxcoreError:
        raise
    except Exception as exc:  # whatever the model raises, it is the model's failure, not onnxcore's or an exporter's
        sizes = ", ".join(f"{name} {'x'.join(map(str, shape))}" for name, shape in shapes.items())
        raise ModelForwardError(
            f"the model's own forward fails on the {inputs} inputs ({sizes}): {type(exc).__name__}:"
            f" {first_line(exc)}; the checkpoint cannot run inputs like these (check its config.json, such as the"
            " vocabulary size and maximum positions, against its tokenizer)."
        ) from exc


class ValidationError(OnnxcoreError, ValueError):
    """ONNX Runtime outputs differ from the framework model's beyond tolerance."""


class PluginError(OnnxcoreError):
    """A plugin failed to load or registered something invalid (raised in strict mode or on lookup)."""


class ConfigContractError(PluginError):
    """A plugin's OnnxConfig breaks its contract: malformed ``inputs``/``outputs``, or outputs the model lacks.

    ``config_module``: the module of the config's class, so the error can name the plugin that ships it.
    """

    def __init__(self, message: str, config: object) -> None:
        super().__init__(message)
        self.config_module = type(config).__module__


class DuplicateRegistrationError(PluginError):
    """Two plugins registered the same (model_type, feature) and the user has not picked one."""
