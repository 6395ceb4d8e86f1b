"""ERNIE's ONNX contract: BERT's, plus ``task_type_ids`` for checkpoints that embed a task id (ERNIE 3.0).

transformers.onnx never exported ERNIE; the model is BERT's encoder with one more embedding, so the contract is
``onnxcore_bert.BertOnnxConfig``'s with that input added where the model config turns it on.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from onnxcore_bert import BertOnnxConfig

TASK_TYPE_IDS = "task_type_ids"


class ErnieOnnxConfig(BertOnnxConfig):
    """``input_ids``, ``attention_mask``, ``token_type_ids`` and, when ``use_task_id``, ``task_type_ids``, all with
    BERT's axes (a ``choice`` axis for multiple choice)."""

    @property
    def uses_task_id(self) -> bool:
        """Whether the graph takes ``task_type_ids``: the model adds a task-type embedding (``use_task_id``), and
        the task is not multiple choice, whose head in transformers does not flatten ``task_type_ids`` with the
        other inputs (3-D ids fail in the embedding's sum); without them the model uses task id 0, as the graph
        then does."""
        return bool(getattr(self._config, "use_task_id", False)) and self.task != "multiple-choice"

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        inputs = OrderedDict(super().inputs)
        if self.uses_task_id:
            inputs[TASK_TYPE_IDS] = dict(inputs["input_ids"])
        return inputs

    def generate_dummy_inputs(self, preprocessor: Any, *args: Any, **kwargs: Any) -> Mapping[str, Any]:
        """BERT's dummy inputs, plus task id 0 for every token (what the model assumes when none is given):
        tokenizers do not make ``task_type_ids``."""
        inputs = dict(super().generate_dummy_inputs(preprocessor, *args, **kwargs))
        if self.uses_task_id and TASK_TYPE_IDS not in inputs:
            inputs[TASK_TYPE_IDS] = inputs["input_ids"] * 0
        return inputs

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """Varied task ids (every id of the task vocabulary occurs), so validation shows the graph reads them."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        if self.uses_task_id:
            inputs[TASK_TYPE_IDS] = inputs["input_ids"] % self._config.task_type_vocab_size
        return inputs
