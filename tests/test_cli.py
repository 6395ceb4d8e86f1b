"""The CLI as users run it: listings, exports with both exporters, and every bad input as one clear line."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys

import onnx
import pytest
from conftest import TINY_BERT, run_cli

PLUGIN_FEATURES = {
    "bert": (
        "onnxcore-bert",
        [
            "causal-lm",
            "default",
            "masked-lm",
            "multiple-choice",
            "question-answering",
            "sequence-classification",
            "token-classification",
        ],
    ),
    "gpt2": (
        "onnxcore-gpt2",
        [
            "causal-lm",
            "causal-lm-with-past",
            "default",
            "default-with-past",
            "sequence-classification",
            "token-classification",
        ],
    ),
    "t5": ("onnxcore-t5", ["default", "default-with-past", "seq2seq-lm", "seq2seq-lm-with-past"]),
    "vit": ("onnxcore-vit", ["default", "image-classification", "masked-im"]),
    "whisper": ("onnxcore-whisper", ["default", "default-with-past", "speech2seq-lm", "speech2seq-lm-with-past"]),
}


@pytest.mark.parametrize("model_type", sorted(PLUGIN_FEATURES))
def test_features_lists_the_plugin_features(model_type: str) -> None:
    distribution, expected = PLUGIN_FEATURES[model_type]
    run = run_cli("features", model_type)
    assert run.code == 0
    lines = [line.split() for line in run.out.splitlines()[1:]]
    assert [line[1] for line in lines] == expected
    assert {line[2] for line in lines} == {distribution}
    records = json.loads(run_cli("features", model_type, "--json").out)
    assert [r["feature"] for r in records] == expected and {r["distribution"] for r in records} == {distribution}


def test_plugins_json_agrees_with_features_json() -> None:
    plugins = json.loads(run_cli("plugins", "--json").out)
    bert = next(p for p in plugins if p["distribution"] == "onnxcore-bert")
    assert bert["status"] == "ok" and bert["version"] == "0.1.0" and bert["hooks"] == ["register_onnx_configs"]
    assert bert["entry_point"] == "bert = onnxcore_bert.plugin"
    features = json.loads(run_cli("features", "--json").out)
    by_plugin = {p["name"]: set(p["model_types"]) for p in plugins}
    for record in features:
        assert record["model_type"] in by_plugin[record["plugin"]]
    table = run_cli("plugins").out
    assert "onnxcore-bert" in table and "0.1.0" in table


@pytest.mark.parametrize("exporter", ["torchscript", "dynamo"])
def test_export_default_checkpoint(tmp_path, exporter) -> None:
    run = run_cli("export", "-m", str(TINY_BERT), "--exporter", exporter, str(tmp_path / "out"))
    assert run.code == 0, run.err
    assert "last_hidden_state" in run.out and "All good, model saved at" in run.out
    assert f"Exporting model.onnx with {exporter}" in run.err
    model = onnx.load(str(tmp_path / "out" / "model.onnx"))
    assert model.opset_import[0].version == (11 if exporter == "torchscript" else 18)


def test_transformers_onnx_style_invocation_and_optimum_task_names(tmp_path) -> None:
    run = run_cli("-m", str(TINY_BERT), "--feature", "fill-mask", "--json", str(tmp_path / "out"))
    assert run.code == 0, run.err
    result = json.loads(run.out)
    assert result["feature"] == "masked-lm" and result["validation"]["model.onnx"]["ok"]


def _bad_checkpoint(tmp_path, model_type: str):
    folder = tmp_path / model_type
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": model_type}))
    return folder


def _tiny_bart(folder):
    """A BART classifier checkpoint (random weights; the layout is refused before it loads)."""
    from transformers import BartConfig, BartForSequenceClassification

    from onnxcore.testing.checkpoints import save_random_model

    config = BartConfig(
        vocab_size=64,
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=16,
        decoder_ffn_dim=16,
        max_position_embeddings=32,
    )
    save_random_model(folder, BartForSequenceClassification, config)
    return folder


def _damaged_checkpoints(tmp_path) -> dict[str, object]:
    """Copies of tiny-bert, each broken one way."""
    folders = {}
    for name in ("corrupt", "truncated_config", "truncated_weights", "mismatch", "remote"):
        folders[name] = tmp_path / name
        shutil.copytree(TINY_BERT, folders[name])
    config = json.loads((TINY_BERT / "config.json").read_text())
    (folders["corrupt"] / "config.json").write_text("{not json")
    (folders["truncated_config"] / "config.json").write_text(json.dumps(config)[:100])
    weights = (TINY_BERT / "model.safetensors").read_bytes()
    (folders["truncated_weights"] / "model.safetensors").write_bytes(weights[: len(weights) // 2])
    (folders["mismatch"] / "config.json").write_text(json.dumps(config | {"hidden_size": 64}))
    remote = config | {"model_type": "mybert", "auto_map": {"AutoConfig": "configuration_mybert.MyBertConfig"}}
    (folders["remote"] / "config.json").write_text(json.dumps(remote))
    return folders


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["-m", "{pegasus}"],
            2,
            "model type 'pegasus' .* is not supported by the installed plugins .*no known plugin adds it",
        ),
        (
            ["-m", "{bart}", "--feature", "sequence-classification", "--layout", "split"],
            2,
            "--layout split is for the generation features .*; the sequence-classification model runs encoder and"
            " decoder in one pass, so drop --layout split",
        ),
        (["-m", "{nonsense}"], 2, "has model type 'nonsense', which transformers .* does not know; check config.json"),
        (
            ["-m", "{bert}", "--layout", "split"],
            2,
            "--layout split is for encoder-decoder models; BertOnnxConfig exports one graph",
        ),
        (
            ["-m", "{bert}", "--feature", "causal-lm-with-past"],
            2,
            "bert doesn't support feature 'causal-lm-with-past'. Supported features: causal-lm, default",
        ),
        (["-m", "{bert}", "--feature", "maskd-lm"], 2, "unknown feature 'maskd-lm'. Did you mean 'masked-lm'"),
        (["-m", "{missing}"], 2, "model path .*/does-not-exist does not exist"),
        (["-m", "{empty}"], 2, "is not a model folder: it has no config.json"),
        (
            ["-m", "{bert}", "--opset", "9"],
            2,
            "opset 9 is below the minimum of BertOnnxConfig \\(11\\); use --opset 11",
        ),
        (["-m", "{bert}", "--opset", "30"], 2, "the torchscript exporter writes opsets 7 to 20, not 30"),
        (["-m", "{bert}", "--exporter", "dynamo", "--opset", "14"], 2, "writes opsets 18 to .*--exporter torchscript"),
        (["-m", "{bert}", "--exporter", "tf2onnx"], 2, "--exporter tf2onnx does not export PyTorch models"),
        (["-m", "{corrupt}"], 2, "cannot read .*config.json: It looks like the config file .* is not a valid JSON"),
        (["-m", "{truncated_config}"], 2, "cannot read .*config.json: .* not a valid JSON"),
        (["-m", "{truncated_weights}"], 2, "the weights file of .* is damaged .*; save or download it again"),
        (
            ["-m", "{mismatch}"],
            2,
            "the weights do not match config.json \\(size mismatch for .*torch.Size\\(\\[64\\]\\)",
        ),
        (["-m", "{remote}"], 2, "needs its own code to load; rerun with --trust-remote-code if you trust it"),
        (["-m", "bert-base-uncased"], 2, "no local folder 'bert-base-uncased', and it could not be loaded from the"),
        # this env has no TensorFlow: the TF path says how to install it, the rest works without it
        (
            ["-m", "{bert}", "--framework", "tf"],
            2,
            'TensorFlow .* is not installed; install it with: pip install "onnxcore\\[tf\\]" && pip install --no-deps',
        ),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path, args, code, message) -> None:
    import re

    (tmp_path / "empty").mkdir()
    paths = {
        "pegasus": _bad_checkpoint(tmp_path, "pegasus"),
        "bart": _tiny_bart(tmp_path / "bart") if "{bart}" in args else None,
        "nonsense": _bad_checkpoint(tmp_path, "nonsense"),
        "bert": TINY_BERT,
        "missing": tmp_path / "does-not-exist",
        "empty": tmp_path / "empty",
    }
    paths |= _damaged_checkpoints(tmp_path)
    args = [arg.format(**paths) for arg in args]
    offline = {"HF_HUB_OFFLINE": "1"} if "bert-base-uncased" in args else None  # read when huggingface_hub loads
    run = run_cli("export", *args, str(tmp_path / "out"), env=offline)
    assert run.code == code
    assert re.search(message, run.error_line), run.error_line
    assert not (tmp_path / "out").exists()


def test_output_path_errors(tmp_path) -> None:
    existing = tmp_path / "model.onnx"
    existing.write_text("not yours")
    run = run_cli("export", "-m", str(TINY_BERT), str(existing))
    assert run.code == 2 and "is an existing file" in run.error_line
    assert existing.read_text() == "not yours"
    run = run_cli("export", "-m", str(TINY_BERT), "/proc/onnxcore-out")
    assert run.code == 2 and "is not writable" in run.error_line


def test_validation_failure_prints_the_table_and_keeps_the_earlier_export(tmp_path) -> None:
    output = tmp_path / "out"
    assert run_cli("export", "-m", str(TINY_BERT), "--quiet", str(output)).code == 0
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in output.iterdir()}
    run = run_cli("export", "-m", str(TINY_BERT), "--atol", "1e-30", "--opset", "14", str(output))
    assert run.code == 1
    assert "validation failed for last_hidden_state" in run.error_line
    assert "max |diff|" in run.err and "FAILED" in run.err
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in output.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_keep_failed_puts_the_rejected_export_apart(tmp_path) -> None:
    output = tmp_path / "out"
    assert run_cli("export", "-m", str(TINY_BERT), "--quiet", str(output)).code == 0
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in output.iterdir()}
    run = run_cli("export", "-m", str(TINY_BERT), "--atol", "1e-30", "--keep-failed", str(output))
    assert run.code == 1 and f"The rejected export is in {output}.failed; {output} is as it was." in run.err
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in output.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "out.failed"]
    assert onnx.load(str(tmp_path / "out.failed" / "model.onnx")).graph.input[0].name == "input_ids"


def _as_in_a_terminal() -> None:
    """Ctrl-C as a user's shell delivers it: a test run started in the background inherits SIGINT ignored, and
    Python then keeps ignoring it (as onnxcore does, like any program started with nohup or &)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("signal_number", "code", "word"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_killed_mid_export_leaves_the_target_untouched(tmp_path, signal_number, code, word) -> None:
    output = tmp_path / "out"
    assert run_cli("export", "-m", str(TINY_BERT), "--quiet", str(output)).code == 0
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in output.iterdir()}
    process = subprocess.Popen(
        [sys.executable, "-m", "onnxcore", "export", "-m", str(TINY_BERT), "--opset", "14", str(output)],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_in_a_terminal,
    )
    for line in process.stderr:  # wait until the export is being built in its staging folder
        if line.startswith("Exporting"):
            break
    process.send_signal(signal_number)
    _, err = process.communicate(timeout=300)
    assert process.returncode == code and f"error: {word}; nothing was written." in err and "Traceback" not in err
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in output.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left behind


def test_killed_during_the_second_feature_names_the_first(tmp_path) -> None:
    output = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "onnxcore",
            "export",
            "-m",
            str(TINY_BERT),
            "--feature",
            "default,masked-lm",
            str(output),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:
        if line.startswith("Exporting") and (output / "default").is_dir():
            break
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 143, err
    assert f"error: terminated; {output / 'default'} had been written; nothing else was." in err
    assert sorted(p.name for p in output.iterdir()) == ["default"]


def test_validate_against_another_model_type_is_a_usage_error(tmp_path) -> None:
    assert run_cli("export", "-q", "-m", str(TINY_BERT), str(tmp_path / "out")).code == 0
    run = run_cli("validate", "-m", str(TINY_BERT.parent / "tiny-gpt2"), str(tmp_path / "out"))
    assert run.code == 2
    assert "tiny-gpt2 is a gpt2 checkpoint, but" in run.error_line and "exported from a bert one" in run.error_line


def test_a_full_disk_is_one_line_and_leaves_nothing(tmp_path) -> None:
    """A file-size limit stands in for a full disk: the write fails with EFBIG as it would with ENOSPC."""
    import resource

    def limit_file_size() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))

    completed = subprocess.run(
        [sys.executable, "-m", "onnxcore", "export", "-m", str(TINY_BERT), str(tmp_path / "out")],
        preexec_fn=limit_file_size,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 2 and "Traceback" not in completed.stderr
    assert f"error: cannot write the export to {tmp_path / 'out'}: File too large; free some space" in completed.stderr
    assert list(tmp_path.iterdir()) == []


def test_import_onnxcore_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, onnxcore; print(sorted(m for m in ('torch', 'tensorflow', 'transformers') if m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "[]"


def test_json_stays_json_when_the_export_fails(tmp_path) -> None:
    run = run_cli("export", "--json", "-m", str(TINY_BERT), "--opset", "9", str(tmp_path / "out"))
    record = json.loads(run.out)
    assert run.code == 2 and record["ok"] is False and record["exit_code"] == 2
    assert record["error"] == run.error_line.removeprefix("error: ")


def test_a_reader_that_stops_early_gets_no_traceback() -> None:
    """``features --json | head``: the closed pipe ends the run quietly with 141 (128 + SIGPIPE), as for any
    command-line tool, not with an unexpected BrokenPipeError and Python's flush-at-exit traceback."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "onnxcore", "features", "--json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10)
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141 and stderr == "", stderr


def test_features_cover_every_transformers_onnx_pair() -> None:
    """Every (model type, feature) that transformers 4.57's own registry lists is installed (transformers.onnx,
    deprecated, still ships its table there), under its hyphenated key and its config spelling."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from transformers.onnx.features import FeaturesManager as TransformersOnnx

    records = json.loads(run_cli("features", "--json").out)
    installed = {(record["model_type"], record["feature"]) for record in records}
    listed = {(t, f) for t, features in TransformersOnnx._SUPPORTED_MODEL_TYPE.items() for f in features}
    assert len(TransformersOnnx._SUPPORTED_MODEL_TYPE) == 59 and listed <= installed, sorted(listed - installed)
    spellings = {record["model_type"]: record["config_model_type"] for record in records}
    assert spellings["big-bird"] == "big_bird" and spellings["xlm-roberta"] == "xlm-roberta"
    flaubert = next(r for r in records if (r["model_type"], r["feature"]) == ("flaubert", "causal-lm"))
    assert flaubert["model_class"] == "FlaubertWithLMHeadModel"
