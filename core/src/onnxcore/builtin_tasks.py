"""Core's default plugin: the transformers.onnx tasks, their auto classes and Optimum's names for them; core's
exporters (:mod:`onnxcore.exporters.builtin`) and post-export steps (:mod:`onnxcore.steps.builtin`).

It goes through the same hooks as any outside plugin, so the registry has one way in. The exporter and step
tables are imported when their hook runs, as an entry point's module would be, so that the registry layer
imports no backend.
"""

from __future__ import annotations

from .hookspecs import hookimpl
from .registry import ExporterRegistrar, StepRegistrar, TaskRegistrar

#: task -> (PyTorch auto class, TensorFlow auto class or None, synonyms: Optimum task names and aliases)
BUILTIN_TASKS: dict[str, tuple[str, str | None, tuple[str, ...]]] = {
    "default": ("AutoModel", "TFAutoModel", ("feature-extraction",)),
    "masked-lm": ("AutoModelForMaskedLM", "TFAutoModelForMaskedLM", ("fill-mask",)),
    "causal-lm": ("AutoModelForCausalLM", "TFAutoModelForCausalLM", ("text-generation",)),
    "seq2seq-lm": ("AutoModelForSeq2SeqLM", "TFAutoModelForSeq2SeqLM", ("text2text-generation",)),
    "sequence-classification": (
        "AutoModelForSequenceClassification",
        "TFAutoModelForSequenceClassification",
        ("text-classification",),
    ),
    "token-classification": ("AutoModelForTokenClassification", "TFAutoModelForTokenClassification", ()),
    "multiple-choice": ("AutoModelForMultipleChoice", "TFAutoModelForMultipleChoice", ()),
    "question-answering": ("AutoModelForQuestionAnswering", "TFAutoModelForQuestionAnswering", ()),
    "object-detection": ("AutoModelForObjectDetection", None, ()),
    "image-classification": ("AutoModelForImageClassification", "TFAutoModelForImageClassification", ()),
    "image-segmentation": ("AutoModelForImageSegmentation", None, ()),
    "masked-im": ("AutoModelForMaskedImageModeling", "TFAutoModelForMaskedImageModeling", ()),
    "semantic-segmentation": (
        "AutoModelForSemanticSegmentation",
        "TFAutoModelForSemanticSegmentation",
        ("image-segmentation-semantic",),
    ),
    "vision2seq-lm": ("AutoModelForVision2Seq", "TFAutoModelForVision2Seq", ("image-to-text",)),
    "speech2seq-lm": ("AutoModelForSpeechSeq2Seq", "TFAutoModelForSpeechSeq2Seq", ("automatic-speech-recognition",)),
}


@hookimpl
def register_tasks(register: TaskRegistrar) -> None:
    """Register the 15 tasks of transformers.onnx."""
    for name, (auto_model, tf_auto_model, synonyms) in BUILTIN_TASKS.items():
        register(name, auto_model=auto_model, tf_auto_model=tf_auto_model, synonyms=synonyms)


@hookimpl
def register_exporters(register: ExporterRegistrar) -> None:
    """Register torchscript, dynamo and tf2onnx, in that order (the first of a framework is its default)."""
    from .exporters.builtin import BUILTIN_EXPORTERS

    for exporter in BUILTIN_EXPORTERS:
        register(exporter)


@hookimpl
def register_steps(register: StepRegistrar) -> None:
    """Register core's post-export steps (none yet)."""
    from .steps.builtin import BUILTIN_STEPS

    for step in BUILTIN_STEPS:
        register(step)
