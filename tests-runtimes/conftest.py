"""Runtime suites (tox envs ``optimum`` and ``transformersjs``): onnxcore's ``--runtime`` exports of the tiny
examples, loaded by the runtime they are for and compared with PyTorch.

Each suite's folder (``optimum/``, ``transformersjs/``) has its tests and a conftest that names its runtime (the
``runtime`` fixture) and holds its own fixtures. What both share is here: each example, and each checkpoint of
another shape in ``KIT_MODELS`` (made in the session), is exported once per session, through the CLI in a
subprocess, as a user would (``exported``); ``reference.py`` holds the inputs and the PyTorch side of the checks.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
import torch

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@dataclass(frozen=True)
class Example:
    """A tiny checkpoint of ``examples/`` and the feature the suites export it with. ``head`` names the
    transformers Auto class whose weights the checkpoint lacks (a task head on a base model): they are drawn from a
    seed and saved first, so that the export and the PyTorch reference share them."""

    folder: str
    feature: str
    head: str | None = None


# BERT as masked-lm: the tiny checkpoint's pooled output hardly depends on the input, so sequence-classification
# logits would be near-equal for any text; masked-lm logits vary per token.
EXAMPLE_MODELS = {
    "bert": Example("tiny-bert", "masked-lm", head="AutoModelForMaskedLM"),
    "vit": Example("tiny-vit", "image-classification", head="AutoModelForImageClassification"),
    "gpt2": Example("tiny-gpt2", "causal-lm-with-past"),
    "t5": Example("tiny-t5", "seq2seq-lm-with-past"),
    "whisper": Example("tiny-whisper", "speech2seq-lm-with-past"),
}


def _examples_script() -> ModuleType:
    """``examples/make_tiny_checkpoints.py`` (run as a script, so loaded from its path): its builders make the
    checkpoints of other shapes too."""
    spec = importlib.util.spec_from_file_location("make_tiny_checkpoints", EXAMPLES / "make_tiny_checkpoints.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tiny = _examples_script()


@dataclass(frozen=True)
class KitModel:
    """A checkpoint of a shape no example has, made in the session with onnxcore's testing kit: ``make(FOLDER)``
    is the example's builder in ``examples/make_tiny_checkpoints.py`` (its tokenizer or processor and its settings)
    with other sizes, head counts or seed. The suites export it with ``feature``."""

    feature: str
    make: Callable[[Path], None]


KIT_MODELS = {
    # 3 heads of size 8 (n_embd 24) in 3 layers; the example has 4 heads of 8 in 2 layers
    "gpt2-3heads": KitModel("causal-lm-with-past", partial(tiny.make_tiny_gpt2, n_embd=24, n_layer=3, n_head=3)),
    # 3 heads of d_kv 7 on d_model 20: d_kv * heads (21) is not d_model, and d_model // heads (6) is not d_kv, so an
    # empty past sized [batch, heads, 0, d_model // heads] (Optimum's) has the wrong head size; the example has 4
    # heads of 6 on 32
    "t5-3heads": KitModel(
        "seq2seq-lm-with-past", partial(tiny.make_tiny_t5, d_model=20, d_kv=7, d_ff=29, num_heads=3, seed=0)
    ),
    # d_model 24 with 3 encoder heads (size 8) and 2 decoder heads (size 12), 3 encoder and 2 decoder layers; the
    # example has 4 and 2 heads on 32, 2 and 3 layers. Seed 1 makes greedy generation vary.
    "whisper-3heads": KitModel(
        "speech2seq-lm-with-past",
        partial(
            tiny.make_tiny_whisper,
            d_model=24,
            encoder_layers=3,
            decoder_layers=2,
            encoder_attention_heads=3,
            decoder_attention_heads=2,
            ffn_dim=29,
            seed=1,
        ),
    ),
}


@dataclass(frozen=True)
class Export:
    """A checkpoint (what PyTorch loads) and its export for the runtime (what the runtime loads)."""

    checkpoint: Path
    folder: Path


def export_for_runtime(checkpoint: Path, feature: str, runtime: str, out: Path, *flags: str) -> Path:
    """``python -m onnxcore export -m CHECKPOINT --feature FEATURE --runtime RUNTIME [FLAGS] OUT``; returns OUT, or
    fails the test with what the CLI printed."""
    command = [sys.executable, "-m", "onnxcore", "export", "-m", str(checkpoint), "--feature", feature]
    command += ["--runtime", runtime, *flags, str(out)]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if completed.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited {completed.returncode}:\n{completed.stdout}\n{completed.stderr}")
    return out


def with_task_head(checkpoint: Path, auto_class: str, out: Path) -> Path:
    """``checkpoint`` saved to ``out`` as an ``auto_class`` model, the weights it lacked drawn from seed 0; its
    tokenizer and preprocessor files are copied beside."""
    import transformers

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        getattr(transformers, auto_class).from_pretrained(checkpoint).save_pretrained(out)
    for source in checkpoint.iterdir():
        if not (out / source.name).exists():
            shutil.copy(source, out / source.name)
    return out


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory, runtime: str) -> Callable[[str], Export]:
    """``exported(NAME)``: the export of ``EXAMPLE_MODELS[NAME]``, or of ``KIT_MODELS[NAME]`` (its checkpoint
    made first), for this suite's ``runtime`` (its conftest's fixture), made once a session."""
    done: dict[str, Export] = {}

    def export(name: str) -> Export:
        if name not in done:
            if name in KIT_MODELS:
                kit = KIT_MODELS[name]
                feature, checkpoint = kit.feature, tmp_path_factory.mktemp(f"{name}-checkpoint")
                kit.make(checkpoint)
            else:
                example = EXAMPLE_MODELS[name]
                feature, checkpoint = example.feature, EXAMPLES / example.folder
                if example.head:
                    folder = tmp_path_factory.mktemp(f"{name}-checkpoint")
                    checkpoint = with_task_head(checkpoint, example.head, folder)
            out = tmp_path_factory.mktemp(f"{name}-export") / runtime.replace(".", "")
            done[name] = Export(checkpoint, export_for_runtime(checkpoint, feature, runtime, out))
        return done[name]

    return export


@pytest.fixture(scope="session")
def export_with(runtime: str) -> Callable[..., Path]:
    """``export_with(CHECKPOINT, FEATURE, OUT, *FLAGS)``: :func:`export_for_runtime` for this suite's runtime."""
    return lambda checkpoint, feature, out, *flags: export_for_runtime(checkpoint, feature, runtime, out, *flags)


@pytest.fixture(scope="session")
def waveform() -> np.ndarray:
    """A fixed 1 s, 16 kHz waveform: a 440 Hz sine plus seeded noise, float32 in [-1, 1]."""
    t = np.arange(16000) / 16000
    noise = np.random.default_rng(0).normal(0, 0.1, t.shape)
    return np.clip(0.5 * np.sin(2 * np.pi * 440 * t) + noise, -1, 1).astype(np.float32)
