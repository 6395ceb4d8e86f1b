"""transformers.js suite (tox env ``transformersjs``): onnxcore's ``--runtime transformers.js`` exports of the tiny
examples, loaded by transformers.js 4.3.2 in Node (``run.mjs``, onnxruntime-node) and compared with PyTorch.

Each example, and each checkpoint of another shape in ``KIT_MODELS`` (made in the session by onnxcore's testing
kit), is exported once per session, through the CLI in a subprocess, as a user would; ``npm ci
--ignore-scripts`` installs the pinned package-lock.json first when node_modules is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from onnxcore.testing.checkpoints import save_random_model

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parent / "examples"
RUNTIME = "transformers.js"
MAX_NEW_TOKENS = 10


@dataclass(frozen=True)
class Example:
    """A tiny checkpoint of ``examples/`` and the feature this suite exports it with; ``head`` names the Auto class
    whose missing weights (a task head on a base model) are drawn from a seed and saved before the export."""

    folder: str
    feature: str
    head: str | None = None


# BERT as masked-lm: the tiny checkpoint's pooled output hardly depends on the input (see tests-optimum).
EXAMPLE_MODELS = {
    "bert": Example("tiny-bert", "masked-lm", head="AutoModelForMaskedLM"),
    "vit": Example("tiny-vit", "image-classification", head="AutoModelForImageClassification"),
    "gpt2": Example("tiny-gpt2", "causal-lm-with-past"),
    "t5": Example("tiny-t5", "seq2seq-lm-with-past"),
    "whisper": Example("tiny-whisper", "speech2seq-lm-with-past"),
}


@dataclass(frozen=True)
class KitModel:
    """A checkpoint of a shape no example has, made in the session with onnxcore's testing kit: a copy of
    ``examples/<like>``'s tokenizer or processor files, then ``make(FOLDER)`` saves seeded random weights beside
    (``save_random_model``). The suite exports it with ``feature``."""

    like: str
    feature: str
    make: Callable[[Path], object]


def make_gpt2_3heads(target: Path) -> object:
    """GPT-2 with 3 heads of size 8 (n_embd 24) in 3 layers; the example has 4 heads of 8 in 2 layers."""
    from transformers import AutoTokenizer, GPT2Config, GPT2LMHeadModel

    tokenizer = AutoTokenizer.from_pretrained(target)
    config = GPT2Config(
        vocab_size=len(tokenizer),
        n_embd=24,
        n_layer=3,
        n_head=3,
        n_positions=128,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        initializer_range=0.2,
        architectures=["GPT2LMHeadModel"],
    )
    return save_random_model(target, GPT2LMHeadModel, config)


def make_t5_3heads(target: Path) -> object:
    """T5 with 3 heads of d_kv 7 on d_model 20: d_kv * heads (21) is not d_model, and d_model // heads (6) is not
    d_kv, so an empty past sized [batch, heads, 0, d_model // heads] (Optimum's) has the wrong head size. 2 encoder
    and 3 decoder layers; the example has 4 heads of 6 on 32."""
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    tokenizer = AutoTokenizer.from_pretrained(target)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=20,
        d_kv=7,
        d_ff=29,
        num_layers=2,
        num_decoder_layers=3,
        num_heads=3,
        relative_attention_num_buckets=8,
        relative_attention_max_distance=20,
        tie_word_embeddings=False,
        initializer_factor=0.5,
        decoder_start_token_id=tokenizer.pad_token_id,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        architectures=["T5ForConditionalGeneration"],
    )
    return save_random_model(target, T5ForConditionalGeneration, config)


def make_whisper_3heads(target: Path) -> object:
    """Whisper on d_model 24 with 3 encoder heads (size 8) and 2 decoder heads (size 12), 3 encoder and 2 decoder
    layers; the example has 4 and 2 heads on 32, 2 and 3 layers. Seed 1 makes greedy generation vary."""
    from transformers import AutoProcessor, WhisperConfig, WhisperForConditionalGeneration

    tokenizer = AutoProcessor.from_pretrained(target).tokenizer
    config = WhisperConfig(
        vocab_size=len(tokenizer),
        num_mel_bins=8,
        d_model=24,
        encoder_layers=3,
        decoder_layers=2,
        encoder_attention_heads=3,
        decoder_attention_heads=2,
        encoder_ffn_dim=29,
        decoder_ffn_dim=29,
        max_source_positions=50,
        max_target_positions=64,
        init_std=0.8,
        decoder_start_token_id=tokenizer.convert_tokens_to_ids("<|startoftranscript|>"),
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        architectures=["WhisperForConditionalGeneration"],
    )
    return save_random_model(target, WhisperForConditionalGeneration, config, seed=1)


KIT_MODELS = {
    "gpt2-3heads": KitModel("tiny-gpt2", "causal-lm-with-past", make_gpt2_3heads),
    "t5-3heads": KitModel("tiny-t5", "seq2seq-lm-with-past", make_t5_3heads),
    "whisper-3heads": KitModel("tiny-whisper", "speech2seq-lm-with-past", make_whisper_3heads),
}

#: An example's files that a kit model does not take: its weights and configs are its own.
MODEL_FILES = ("config.json", "generation_config.json", "model.safetensors")


def make_kit_model(kit: KitModel, target: Path) -> Path:
    """``kit``'s checkpoint in ``target``: ``examples/<kit.like>``'s tokenizer and processor files, then the model."""
    target.mkdir(parents=True, exist_ok=True)
    for source in (EXAMPLES / kit.like).iterdir():
        if source.name not in MODEL_FILES:
            shutil.copy(source, target / source.name)
    kit.make(target)
    return target


@dataclass(frozen=True)
class Export:
    """A checkpoint (what PyTorch loads) and its export for the runtime (what the runtime loads)."""

    checkpoint: Path
    folder: Path


def export_for_runtime(checkpoint: Path, feature: str, runtime: str, out: Path) -> Path:
    """``python -m onnxcore export -m CHECKPOINT --feature FEATURE --runtime RUNTIME OUT``; returns OUT, or fails
    the test with what the CLI printed."""
    command = [sys.executable, "-m", "onnxcore", "export", "-m", str(checkpoint), "--feature", feature]
    command += ["--runtime", runtime, str(out)]
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
def exported(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Export]:
    """``exported(NAME)``: the export of ``EXAMPLE_MODELS[NAME]``, or of ``KIT_MODELS[NAME]`` (its checkpoint
    made first), for this suite's runtime, made once a session."""
    done: dict[str, Export] = {}

    def export(name: str) -> Export:
        if name not in done:
            if name in KIT_MODELS:
                kit = KIT_MODELS[name]
                feature, checkpoint = kit.feature, make_kit_model(kit, tmp_path_factory.mktemp(f"{name}-checkpoint"))
            else:
                example = EXAMPLE_MODELS[name]
                feature, checkpoint = example.feature, EXAMPLES / example.folder
                if example.head:
                    folder = tmp_path_factory.mktemp(f"{name}-checkpoint")
                    checkpoint = with_task_head(checkpoint, example.head, folder)
            out = tmp_path_factory.mktemp(f"{name}-export") / "transformersjs"
            done[name] = Export(checkpoint, export_for_runtime(checkpoint, feature, RUNTIME, out))
        return done[name]

    return export


@pytest.fixture(scope="session")
def transformersjs() -> Callable[[Path, str, dict[str, Any]], dict[str, Any]]:
    """``transformersjs(FOLDER, TASK, INPUTS)``: what ``node run.mjs`` prints for that request (see run.mjs).

    Installs the locked node_modules first if they are missing (``npm ci --ignore-scripts``: onnxruntime-node's
    CPU binary ships in its package, so no install script is needed).
    """
    if not (HERE / "node_modules" / "@huggingface" / "transformers").is_dir():
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=True)

    def run(folder: Path, task: str, inputs: dict[str, Any]) -> dict[str, Any]:
        request = json.dumps({"folder": str(folder), "task": task, "inputs": inputs})
        completed = subprocess.run(
            ["node", str(HERE / "run.mjs")], input=request, capture_output=True, text=True, cwd=HERE, timeout=300
        )
        if completed.returncode != 0:
            pytest.fail(f"node run.mjs ({task} on {folder}) exited {completed.returncode}:\n{completed.stderr}")
        return json.loads(completed.stdout.splitlines()[-1])

    return run


@pytest.fixture(scope="session")
def waveform() -> np.ndarray:
    """A fixed 1 s, 16 kHz waveform: a 440 Hz sine plus seeded noise, float32 in [-1, 1]."""
    t = np.arange(16000) / 16000
    noise = np.random.default_rng(0).normal(0, 0.1, t.shape)
    return np.clip(0.5 * np.sin(2 * np.pi * 440 * t) + noise, -1, 1).astype(np.float32)
