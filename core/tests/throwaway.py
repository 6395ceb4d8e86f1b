"""Throwaway plugins for core's tests (imported by conftest and the tests; pytest puts this folder on sys.path)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path

import onnx

from onnxcore import OnnxConfig, OnnxSeq2SeqConfigWithPast, hookimpl
from onnxcore.exporters.torchscript import TorchScriptExporter
from onnxcore.steps import Step, StepContext


class TinyTextOnnxConfig(OnnxConfig):
    """A throwaway BERT-shaped config, so core tests need no plugin distribution."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict(
            (name, {0: "batch", 1: "sequence"}) for name in ("input_ids", "attention_mask", "token_type_ids")
        )


class TextPlugin:
    """Registers TinyTextOnnxConfig for model type bert."""

    __name__ = "test-text-plugin"

    @hookimpl
    def register_onnx_configs(self, register):
        register("bert", TinyTextOnnxConfig, ["default", "sequence-classification", "fill-mask"])


class TinySeq2SeqOnnxConfig(OnnxSeq2SeqConfigWithPast):
    """A throwaway encoder-decoder config, for core's seq2seq tests: no decoder mask, the past as transformers.onnx
    names it, and sizes from the generic ``encoder_*``/``decoder_*`` config attributes."""

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common = OrderedDict((name, {0: "batch", 1: "encoder_sequence"}) for name in ("input_ids", "attention_mask"))
        common["decoder_input_ids"] = {0: "batch"} if self.use_past else {0: "batch", 1: "decoder_sequence"}
        if self.use_past:
            self.fill_with_past_key_values_(common, direction="inputs")
        return common


class Seq2SeqPlugin:
    """Registers TinySeq2SeqOnnxConfig for model type bart."""

    __name__ = "test-seq2seq-plugin"

    @hookimpl
    def register_onnx_configs(self, register):
        register("bart", TinySeq2SeqOnnxConfig, ["seq2seq-lm", "seq2seq-lm-with-past"])


class RecordingExporter(TorchScriptExporter):
    """The torchscript exporter under another name, remembering which files it wrote: a backend of one module
    and one table entry (``ExporterPlugin.register_exporters``)."""

    name = "test-recording"
    summary = "TorchScript, recorded by a test plugin"

    def __init__(self) -> None:
        self.written: list[str] = []

    def export(self, preprocessor, model, config, opset, output, *, device="cpu", external_data=None):
        self.written.append(Path(output).name)
        return super().export(preprocessor, model, config, opset, output, device=device, external_data=external_data)


class ExporterPlugin:
    """Registers RecordingExporter."""

    __name__ = "test-exporter-plugin"

    def __init__(self) -> None:
        self.exporter = RecordingExporter()

    @hookimpl
    def register_exporters(self, register):
        register(self.exporter)


class StampStep(Step):
    """Stamps each ONNX file's metadata with the exporter and writes ``stamp.txt``: a post-export step of one
    module and one table entry (``StepPlugin.register_steps``)."""

    name = "test-stamp"

    def __init__(self) -> None:
        self.contexts: list[StepContext] = []

    def run(self, context: StepContext) -> None:
        self.contexts.append(context)
        for file_name in context.files:
            model = onnx.load(str(context.folder / file_name))
            onnx.helper.set_model_props(model, {"stamped-by": context.exporter})
            onnx.save(model, str(context.folder / file_name))
        (context.folder / "stamp.txt").write_text(f"{context.feature} {context.opset}\n")


class StepPlugin:
    """Registers StampStep."""

    __name__ = "test-step-plugin"

    def __init__(self) -> None:
        self.step = StampStep()

    @hookimpl
    def register_steps(self, register):
        register(self.step)
