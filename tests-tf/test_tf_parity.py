"""Cross-framework parity: one checkpoint saved as PyTorch weights and as the same weights converted to
TensorFlow by transformers (``tf_model.h5`` only, so the framework is detected, not passed) exports from both
frameworks to ONNX files with the same contract whose outputs agree within the config's atol."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import run_cli
from transformers import AutoConfig

from onnxcore import FeaturesManager
from onnxcore.model_inputs import flatten_named
from onnxcore.seq2seq import SINGLE_FILE, layout_configs, traced_configs
from onnxcore.utils import get_preprocessor
from onnxcore.validate import compare_outputs, onnxruntime_session

# one case per family at least; the -with-past ones also pass the generation check on both frameworks
PARITY = [
    ("tiny-bert", "bert", "sequence-classification", "single"),
    ("tiny-bert", "bert", "question-answering", "single"),
    ("tiny-gpt2", "gpt2", "causal-lm-with-past", "single"),
    ("tiny-t5", "t5", "seq2seq-lm-with-past", "single"),
    ("tiny-t5", "t5", "seq2seq-lm-with-past", "split"),
    ("tiny-vit", "vit", "image-classification", "single"),
    ("tiny-whisper", "whisper", "speech2seq-lm-with-past", "split"),
]


def _run(path: Path, inputs: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], list[tuple[str, str]]]:
    session = onnxruntime_session(path)
    signature = [(value.name, value.type) for value in session.get_inputs()]
    names = [value.name for value in session.get_outputs()]
    return dict(zip(names, session.run(names, inputs))), signature


@pytest.mark.parametrize(("example", "model_type", "feature", "layout"), PARITY, ids=lambda value: str(value))
def test_pt_and_tf_exports_of_one_checkpoint_agree(
    twins, tmp_path: Path, example: str, model_type: str, feature: str, layout: str
) -> None:
    pt_folder, tf_folder = twins(example, feature)
    assert FeaturesManager.determine_framework(str(tf_folder)) == "tf"
    runs = {
        name: run_cli("export", "-m", folder, "--feature", feature, "--layout", layout, tmp_path / name)
        for name, folder in (("pt", pt_folder), ("tf", tf_folder))
    }
    for name, run in runs.items():
        assert run.code == 0, run.err
        assert run.manifest["framework"] == name
    onnx_config = FeaturesManager.get_config(model_type, feature)(AutoConfig.from_pretrained(pt_folder))
    preprocessor = get_preprocessor(str(pt_folder))
    files = layout_configs(layout, onnx_config)  # split with past: the encoder and decoder_model_merged.onnx
    traced = traced_configs(layout, onnx_config)  # the merged decoder as its two branches
    checks = [getattr(part, "check_name", SINGLE_FILE) for part in traced]
    for name, run in runs.items():
        assert sorted(path.name for path in (tmp_path / name).glob("*.onnx")) == sorted(files)
        assert list(run.manifest["validation"]) == checks  # both branches of a merged decoder
    # each traced graph on its own inputs, a branch of the merged decoder through the merged file with the other
    # branch's inputs as runtimes feed them (and use_cache_branch)
    for check, part in zip(checks, traced):
        file_name = getattr(part, "checked_file", SINGLE_FILE)
        inputs = flatten_named(part, part.generate_validation_inputs(preprocessor, framework="np"))
        feeds = {name: np.asarray(value) for name, value in inputs.items() if name in part.inputs}
        feeds = flatten_named(part, part.generate_dummy_inputs_onnxruntime(feeds))
        assert set(feeds) == set(files[file_name].inputs)
        pt_outputs, pt_signature = _run(tmp_path / "pt" / file_name, feeds)
        tf_outputs, tf_signature = _run(tmp_path / "tf" / file_name, feeds)
        assert tf_signature == pt_signature
        assert list(tf_outputs) == list(pt_outputs) == list(files[file_name].outputs)
        report = compare_outputs(pt_outputs, tf_outputs, part.atol_for_validation, feeds)
        assert report.ok, f"{check}\n{report.table()}"
