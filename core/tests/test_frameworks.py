"""The framework seam: one lookup, and both framework modules provide every operation core asks for."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
import torch

from onnxcore.errors import FrameworkError
from onnxcore.frameworks import PYTORCH, TENSORFLOW, FrameworkOps, framework_of, get_framework

FRAMEWORKS_DIR = Path(inspect.getfile(FrameworkOps)).parent


def _operations() -> set[str]:
    return {name for name, value in vars(FrameworkOps).items() if inspect.isfunction(value) and name[0] != "_"}


@pytest.mark.parametrize("module", ["pytorch.py", "tensorflow.py"])
def test_each_framework_module_defines_every_operation(module: str) -> None:
    # read, not imported: TensorFlow need not be installed for its module to be checked
    tree = ast.parse((FRAMEWORKS_DIR / module).read_text())
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert {"to_tensor", "past", "wrap_module", "generate"} <= _operations() <= defined


def test_models_are_told_apart_without_importing_a_framework() -> None:
    assert framework_of(torch.nn.Linear(1, 1)) is PYTORCH
    tf_like = type("TFModel", (), {"__module__": "tf_keras.src.engine.training"})
    assert framework_of(tf_like()) is TENSORFLOW
    assert get_framework("tf") is TENSORFLOW and get_framework("pt").ops.to_tensor is not None


def test_an_unknown_framework_name_is_refused() -> None:
    with pytest.raises(FrameworkError, match="'pt' or 'tf'"):
        get_framework("jax")
