"""Core's default plugin of tasks: the transformers.onnx tasks, their auto classes and Optimum's names for them.

It goes through the same hooks as any outside plugin, so the registry has one way in (core's exporters and steps
are default plugins too: :mod:`onnxcore.exporters.builtin`, :mod:`onnxcore.steps.builtin`).
"""

from __future__ import annotations

from .hookspecs import hookimpl
from .registry import TaskRegistrar

#: task -> (PyTorch auto class, TensorFlow auto class or None, synonyms: Optimum task names and aliases); a class
#: may name alternatives joined by ``|``, the first one the installed transformers has being used
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
    "vision2seq-lm": (
        "AutoModelForVision2Seq|AutoModelForImageTextToText",
        "TFAutoModelForVision2Seq",
        ("image-to-text",),
    ),
    "speech2seq-lm": ("AutoModelForSpeechSeq2Seq", "TFAutoModelForSpeechSeq2Seq", ("automatic-speech-recognition",)),
}


@hookimpl
def register_tasks(register: TaskRegistrar) -> None:
    """Register the 15 tasks of transformers.onnx."""
    for name, (auto_model, tf_auto_model, synonyms) in BUILTIN_TASKS.items():
        register(name, auto_model=auto_model, tf_auto_model=tf_auto_model, synonyms=synonyms)
