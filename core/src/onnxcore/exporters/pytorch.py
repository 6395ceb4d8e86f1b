"""What the PyTorch backends share: ``torch.onnx.export`` of the model wrapped to the config's contract.

:mod:`.torchscript` and :mod:`.dynamo` differ only in the options they pass and what they patch. The model is
wrapped so that the graph takes the config's inputs positionally, in the config's order, and returns exactly the
config's outputs, by name — no unnamed extras, whatever the model returns.
"""

from __future__ import annotations

import abc
import contextlib
import inspect
import io
import logging
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from ..config import OnnxConfig
from ..config_contract import check_axes_fit
from ..errors import (
    ConfigContractError,
    ExportFailedError,
    exception_chain,
    first_line,
    model_forward_failures,
    storage_error,
)
from ..frameworks import get_framework
from ..model_inputs import config_overrides, flatten_named, forward_arguments, model_argument_names
from ..outputs import select_declared_outputs
from ..patching import export_patches
from . import onnx_files, streamed_weights
from .base import Exporter
from .opsets import alternative_exporter, check_opset


def ensure_model_and_config_inputs_match(model: Any, model_inputs: Sequence[str]) -> tuple[bool, list[str]]:
    """Whether every input is a parameter of ``model.forward``, and those inputs in forward's order."""
    forward_parameters = list(inspect.signature(model.forward).parameters)
    model_inputs_set = set(model_inputs)
    is_ok = model_inputs_set.issubset(forward_parameters)
    matching = [name for name in forward_parameters if name in model_inputs_set]
    return is_ok, matching


def _declared_io_module(model: Any, config: OnnxConfig) -> Any:
    """Wrap ``model``: positional inputs in the config's order -> tuple of the config's outputs."""
    import torch

    input_names = list(config.inputs)

    class DeclaredIO(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *args: Any) -> tuple[Any, ...]:
            outputs = self.model(**forward_arguments(config, self.model, dict(zip(input_names, args))))
            return tuple(select_declared_outputs(config, outputs).values())

    return DeclaredIO().eval()


@contextlib.contextmanager
def _quiet_torch_export() -> Iterator[None]:
    """Silence torch.onnx's progress prints and deprecation chatter; errors still propagate."""
    loggers = [logging.getLogger(name) for name in ("torch.onnx", "torch.export", "torch._dynamo", "torch.fx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


_BUILTIN_SYMBOLIC_DOMAINS = ("aten", "prim", "onnx", "quantized")


_REPARSE_LOCK = threading.Lock()
_reparse_skips = 0  # exports inside _no_onnxscript_reparse now; the patch is in place while above zero
_real_add_onnxscript_fn: Any = None


def _keep_model_bytes(model_bytes: bytes, custom_opsets: Any) -> bytes:
    return model_bytes


@contextlib.contextmanager
def _no_onnxscript_reparse() -> Iterator[None]:
    """Skip the TorchScript exporter's second parse of the model it just serialized.

    torch parses the whole serialized model again (a second copy of the weights in memory, about 0.4 s per
    500 MB) only to attach onnxscript functions of custom-domain ops. Without a custom-domain symbolic
    registered there are none to find, so the parse is skipped; with one, torch's code runs as is. Exports in
    several threads share one patch, put in place by the first and removed by the last.
    """
    global _reparse_skips, _real_add_onnxscript_fn
    try:
        from torch.onnx._internal.torchscript_exporter import onnx_proto_utils, registration
    except ImportError:  # another torch layout: nothing to skip
        yield
        return
    domains = {name.split("::")[0] for name in registration.registry.all_functions()}
    if not hasattr(onnx_proto_utils, "_add_onnxscript_fn") or domains - set(_BUILTIN_SYMBOLIC_DOMAINS):
        yield
        return
    with _REPARSE_LOCK:
        if _reparse_skips == 0:
            _real_add_onnxscript_fn = onnx_proto_utils._add_onnxscript_fn
            onnx_proto_utils._add_onnxscript_fn = _keep_model_bytes
        _reparse_skips += 1
    try:
        yield
    finally:
        with _REPARSE_LOCK:
            _reparse_skips -= 1
            if _reparse_skips == 0 and onnx_proto_utils._add_onnxscript_fn is _keep_model_bytes:
                onnx_proto_utils._add_onnxscript_fn = _real_add_onnxscript_fn


class TorchExporter(Exporter):
    """A ``torch.onnx.export`` backend; subclasses name the options that make it the one it is."""

    framework = "pt"

    #: Trace without the weights and write them from the model (:mod:`.streamed_weights`), where the backend can
    #: (:meth:`weight_free_options`); False (on the class or an instance): torch serializes them in its protobuf.
    stream_weights: bool = True

    @abc.abstractmethod
    def options(
        self, inputs: Mapping[str, Mapping[int, str]], outputs: Mapping[str, Mapping[int, str]], external_data: bool
    ) -> dict[str, Any]:
        """Keyword arguments of ``torch.onnx.export`` besides names and opset."""

    def weight_free_options(self) -> dict[str, Any] | None:
        """The options, over :meth:`options`, that make ``torch.onnx.export`` write the graph without its weights,
        each weight an input named after its module tensor; None: this backend cannot."""
        return None

    def weight_free_trace(self) -> contextlib.AbstractContextManager[None]:
        """What a weight-free trace runs inside, besides :meth:`weight_free_options`."""
        return contextlib.nullcontext()

    def export(
        self,
        preprocessor: Any,
        model: Any,
        config: OnnxConfig,
        opset: int,
        output: Path,
        *,
        device: str = "cpu",
        external_data: bool | None = None,
    ) -> tuple[list[str], list[str]]:
        """Export a PyTorch model to ``output``; returns (input names, output names) as written.

        ``external_data``: None decides by size (``config.use_external_data_format``), True forces one
        ``<output>.data`` file beside the model, False keeps weights inline (fails above 2 GB).
        """
        import torch

        check_opset(opset, config, self)
        arguments = model_argument_names(config, model)
        is_ok, _ = ensure_model_and_config_inputs_match(model, arguments)
        if not is_ok:
            raise ExportFailedError(
                f"Model and config inputs doesn't match: the model's forward() lacks some of {', '.join(arguments)}."
            )
        if external_data is None:
            external_data = config.use_external_data_format(model.num_parameters())

        model.eval()
        dummy = flatten_named(config, config.generate_dummy_inputs(preprocessor, framework="pt"))
        missing = [name for name in config.inputs if name not in dummy]
        if missing:
            raise ExportFailedError(
                f"{type(config).__name__} generated no dummy value for input(s) {', '.join(missing)}."
            )
        check_axes_fit(config, {name: tuple(dummy[name].shape) for name in config.inputs})
        if device.startswith("cuda") and torch.cuda.is_available():
            model.to(device)
        # float inputs (pixels, audio features, past) at the model's dtype: --dtype fp16 traces an fp16 graph
        ops = get_framework("pt").ops
        args = tuple(ops.at_model_dtype(dummy[name], model).to(model.device) for name in config.inputs)
        _run_forward_once(model, config, dict(zip(config.inputs, args)))
        inputs, outputs = dict(config.inputs), dict(config.outputs)
        output = Path(output)
        contract = {
            "opset": opset,
            "inputs": inputs,
            "outputs": outputs,
            "exporter": self.name,
            "external_data": external_data,
            "input_values": [_value_info(name, arg, inputs[name]) for name, arg in zip(inputs, args)],
        }
        options = self.options(inputs, outputs, external_data)
        wrapper = _declared_io_module(model, config)
        weight_free = self.weight_free_options() if self.stream_weights else None
        if weight_free is not None:
            with self.weight_free_trace():
                self._trace(wrapper, args, config, opset, output, options | weight_free)
            if streamed_weights.finish(output, wrapper, **contract) is not None:
                return list(inputs), list(outputs)
            # the trace folded a tensor that has no module tensor to bind: let torch write the weights instead
        self._trace(wrapper, args, config, opset, output, options)
        onnx_files.finalize(output, **contract)
        return list(inputs), list(outputs)

    def _trace(
        self,
        wrapper: Any,
        args: tuple[Any, ...],
        config: OnnxConfig,
        opset: int,
        output: Path,
        options: dict[str, Any],
    ) -> None:
        """``torch.onnx.export`` of the model wrapped to the config's contract (:func:`_declared_io_module`) to
        ``output``; any exporter failure becomes one explained line."""
        import torch

        names = {"input_names": list(config.inputs), "output_names": list(config.outputs), "opset_version": opset}
        try:
            with (
                torch.no_grad(),
                config_overrides(wrapper.model, config),
                export_patches(config, self.patches),
                _quiet_torch_export(),
                _no_onnxscript_reparse(),
            ):
                torch.onnx.export(wrapper, args, str(output), **names, **options)
        except Exception as exc:  # any exporter failure becomes one explained line
            if storage_error(exc, output) is not None:
                raise  # a full disk is not the exporter's fault: the caller names the user's path
            broken = next((cause for cause in exception_chain(exc) if isinstance(cause, ConfigContractError)), None)
            if broken is not None:
                raise broken from None  # the plugin's config is at fault, not the exporter
            other = alternative_exporter(self)
            hint = f" (try --exporter {other})" if other else ""
            problem = f"{type(exc).__name__}: {first_line(exc)}"
            raise ExportFailedError(f"the {self.name} exporter failed: {problem}{hint}") from exc


def _run_forward_once(model: Any, config: OnnxConfig, example: Mapping[str, Any]) -> None:
    """Run the model on the example inputs before tracing: a model that cannot run them itself is reported as
    such, not as an exporter failure with advice to switch exporter (torch.export would even trace it)."""
    import torch

    arguments = forward_arguments(config, model, example)
    with model_forward_failures({name: tuple(value.shape) for name, value in example.items()}):
        with torch.no_grad(), config_overrides(model, config):
            model(**arguments)


def _value_info(name: str, example: Any, axes: Mapping[int, str]) -> Any:
    """The ONNX type of an input: the example's element type, its sizes, the config's names on dynamic axes."""
    import onnx

    if str(example.dtype) == "torch.bfloat16":  # numpy has no bfloat16
        element_type = onnx.TensorProto.BFLOAT16
    else:
        element_type = onnx.helper.np_dtype_to_tensor_dtype(example.detach().cpu().numpy().dtype)
    shape = [axes.get(axis, size) for axis, size in enumerate(example.shape)]
    return onnx.helper.make_tensor_value_info(name, element_type, shape)
