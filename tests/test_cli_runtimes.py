"""``export --runtime``: each runtime's input contract and layout, and the output-folder contract of the one
subfolder an export may own (transformers.js's ``onnx/``), hostile cases included."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from conftest import TINY_BERT, TINY_GPT2, TINY_T5, TINY_WHISPER, run_cli

GPT2 = ("-m", str(TINY_GPT2), "--feature", "causal-lm-with-past")


def _inputs(path: Path) -> list[str]:
    return [value.name for value in onnx.load(str(path), load_external_data=False).graph.input]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.mark.parametrize(
    ("runtime", "onnx_file", "position_ids"),
    [
        ("onnxruntime", "model.onnx", False),
        ("optimum", "model.onnx", True),
        ("transformers.js", "onnx/model.onnx", True),
    ],
)
def test_decoder_contract_and_layout_follow_the_runtime(
    tmp_path: Path, runtime: str, onnx_file: str, position_ids: bool
) -> None:
    run = run_cli("export", *GPT2, "--runtime", runtime, "--json", str(tmp_path / "out"))
    assert run.code == 0, run.err
    out = tmp_path / "out"
    assert ("position_ids" in _inputs(out / onnx_file)) is position_ids
    manifest = json.loads((out / "onnxcore.json").read_text())
    assert manifest["runtime"] == runtime
    assert ("position_ids" in manifest["files"][onnx_file]["inputs"]) is position_ids
    assert manifest["generation"]["status"] == "identical"
    assert (out / "config.json").is_file() and (
        out / "tokenizer.json"
    ).is_file()  # beside onnx/, as transformers.js reads


def test_position_ids_are_generate_s_on_a_left_padded_batch(tmp_path: Path) -> None:
    """The graph uses the fed position ids: a left-padded row with the runtimes' ids gives its unpadded logits."""
    assert run_cli("export", *GPT2, "--runtime", "optimum", "-q", str(tmp_path / "out")).code == 0
    session = onnxruntime.InferenceSession(str(tmp_path / "out" / "model.onnx"))
    past = {
        value.name: np.zeros([1 if dim == "batch" else 0 if isinstance(dim, str) else dim for dim in value.shape], "f")
        for value in session.get_inputs()
        if value.name.startswith("past_key_values")
    }
    ids = np.array([[5, 9, 13, 17]])

    def logits(input_ids: np.ndarray, mask: np.ndarray, positions: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": input_ids, "attention_mask": mask, "position_ids": positions, **past}
        return session.run(["logits"], feeds)[0]

    plain = logits(ids, np.ones_like(ids), np.arange(4)[None])
    padded = logits(np.array([[0, 0, 5, 9, 13, 17]]), np.array([[0, 0, 1, 1, 1, 1]]), np.array([[1, 1, 0, 1, 2, 3]]))
    np.testing.assert_allclose(padded[:, 2:], plain, atol=1e-5)


def test_seq2seq_runtimes_get_the_merged_decoder_in_their_place(tmp_path: Path) -> None:
    run = run_cli("export", "-m", str(TINY_T5), "--feature", "seq2seq-lm-with-past", "--runtime", "transformers.js",
                  str(tmp_path / "out"))  # fmt: skip
    assert run.code == 0, run.err
    out = tmp_path / "out"
    assert sorted(path.name for path in (out / "onnx").iterdir()) == ["decoder_model_merged.onnx", "encoder_model.onnx"]
    assert not list(out.glob("*.onnx"))
    assert "use_cache_branch" in _inputs(out / "onnx" / "decoder_model_merged.onnx")
    assert run_cli("validate", str(out)).code == 0
    assert run_cli("check-generation", "-m", str(TINY_T5), str(out)).code == 0


def test_a_runtime_that_loads_split_files_refuses_the_single_layout(tmp_path: Path) -> None:
    run = run_cli("export", "-m", str(TINY_T5), "--feature", "seq2seq-lm-with-past", "--runtime", "optimum",
                  "--layout", "single", str(tmp_path / "out"))  # fmt: skip
    assert run.code == 2
    assert "drop --layout single" in run.error_line
    assert not (tmp_path / "out").exists()


def test_unknown_runtime_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("export", *GPT2, "--runtime", "tensorrt", str(tmp_path / "out"))
    assert run.code == 2 and "tensorrt" in run.err and "Traceback" not in run.err


@pytest.fixture
def js_export(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert run_cli("export", *GPT2, "--runtime", "transformers.js", "--no-generation-check", "-q", str(out)).code == 0
    return out


def test_an_earlier_onnx_folder_is_replaced_and_removed_with_its_export(js_export: Path) -> None:
    again = run_cli("export", *GPT2, "--runtime", "transformers.js", "--no-generation-check", "-q", str(js_export))
    assert again.code == 0
    assert run_cli("export", *GPT2, "--no-generation-check", "-q", str(js_export)).code == 0
    assert not (js_export / "onnx").exists() and (js_export / "model.onnx").is_file()


def _link_folder(folder: Path) -> None:
    real = folder.parent.parent / "elsewhere"  # outside OUT
    folder.rename(real)
    folder.symlink_to(real, target_is_directory=True)


@pytest.mark.parametrize(
    ("spoil", "named", "beside"),
    [
        (lambda onnx_folder: (onnx_folder / "notes.txt").write_text("mine"), "onnx/notes.txt, not listed", "mixes"),
        (lambda onnx_folder: (onnx_folder / "nested").mkdir(), "onnx/nested, a folder", "mixes"),
        (lambda onnx_folder: (onnx_folder / "model.onnx").write_bytes(b"edited"), "onnx/model.onnx, changed", "clash"),
        (lambda onnx_folder: os.symlink("/etc/hostname", onnx_folder / "link.onnx"), "onnx/link.onnx, a link", "mixes"),
        (_link_folder, "onnx: a link", "clash"),
    ],
    ids=["foreign-file", "nested-folder", "changed-file", "link-inside", "folder-is-a-link"],
)
def test_an_onnx_folder_onnxcore_cannot_prove_is_never_touched(js_export: Path, spoil, named: str, beside: str) -> None:
    """Refused, and with --allow-other-files too: transformers.js's files would clash with it, and writing another
    runtime's files beside an onnx/ that still holds the earlier export's graphs would leave two exports mixed."""
    spoil(js_export / "onnx")
    before = _tree(js_export)
    run = run_cli("export", *GPT2, "--runtime", "transformers.js", "--no-generation-check", str(js_export))
    assert run.code == 2
    assert named in run.error_line
    assert _tree(js_export) == before
    for runtime in ("transformers.js", "onnxruntime"):
        args = ("export", *GPT2, "--runtime", runtime, "--allow-other-files", "--no-generation-check", str(js_export))
        refused = run_cli(*args)
        assert refused.code == 2 or (beside == "clash" and runtime == "onnxruntime"), refused.err
        if refused.code == 2:
            expected = "mixes files of the earlier export" if beside == "mixes" else "onnx is not onnxcore's"
            assert expected in refused.error_line
            assert _tree(js_export) == before


def test_an_empty_onnx_folder_of_the_user_is_kept(tmp_path: Path) -> None:
    (tmp_path / "out" / "onnx").mkdir(parents=True)
    run = run_cli("export", *GPT2, "--runtime", "transformers.js", str(tmp_path / "out"))
    assert run.code == 2 and "onnx: an empty folder" in run.error_line
    assert (tmp_path / "out" / "onnx").is_dir() and not list((tmp_path / "out").rglob("*.onnx"))


def test_exporting_into_the_working_folder_moves_onnx_in_and_out(js_export: Path) -> None:
    """OUT holds the working folder, so the export is staged inside it and moved in file by file."""
    (js_export / "keep.txt").write_text("mine")
    args = ("export", *GPT2, "--runtime", "transformers.js", "--no-generation-check", "--allow-other-files", ".")
    assert run_cli(*args, cwd=js_export).code == 0
    assert (js_export / "keep.txt").read_text() == "mine"
    assert sorted(path.name for path in (js_export / "onnx").iterdir()) == ["model.onnx"]
    assert not [path.name for path in js_export.iterdir() if path.name.startswith(".onnxcore")]


def test_transformers_js_folders_say_how_to_load_them(tmp_path: Path) -> None:
    """transformers.js fetches external data only where config.json declares it, named FILE_data, and loads the
    dtype it is told (the browser's default is q8, a file this folder has not)."""
    out = tmp_path / "out"
    run = run_cli("export", "-m", str(TINY_T5), "--feature", "seq2seq-lm-with-past", "--runtime", "transformers.js",
                  "--external-data", "--no-generation-check", str(out))  # fmt: skip
    assert run.code == 0, run.err
    assert sorted(path.name for path in (out / "onnx").iterdir()) == [
        "decoder_model_merged.onnx",
        "decoder_model_merged.onnx_data",
        "encoder_model.onnx",
        "encoder_model.onnx_data",
    ]
    loader = json.loads((out / "config.json").read_text())["transformers.js_config"]
    assert loader == {
        "dtype": "fp32",
        "use_external_data_format": {"decoder_model_merged.onnx": 1, "encoder_model.onnx": 1},
    }
    assert run_cli("validate", str(out)).code == 0


def test_other_runtimes_keep_config_json_and_data_names_as_they_are(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = run_cli("export", *GPT2, "--runtime", "optimum", "--external-data", "--no-generation-check", str(out))
    assert run.code == 0, run.err
    assert (out / "model.onnx.data").is_file()
    assert "transformers.js_config" not in json.loads((out / "config.json").read_text())


def test_an_encoder_with_a_causal_lm_head_keeps_its_own_positions(tmp_path: Path) -> None:
    """BERT-family causal-LM heads are not Optimum's text decoders (RoBERTa counts positions from its padding
    index): their graph is the same for every runtime."""
    run = run_cli("export", "-m", str(TINY_BERT), "--feature", "causal-lm", "--runtime", "optimum", "-q",
                  str(tmp_path / "out"))  # fmt: skip
    assert run.code == 0, run.err
    assert "position_ids" not in _inputs(tmp_path / "out" / "model.onnx")


def test_a_split_export_of_an_earlier_onnxcore_is_named_when_validated(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_cli("export", "-m", str(TINY_T5), "--feature", "seq2seq-lm-with-past", "--layout", "split",
                   "--no-generation-check", "-q", str(out)).code == 0  # fmt: skip
    manifest = json.loads((out / "onnxcore.json").read_text())
    (out / "decoder_with_past_model.onnx").write_bytes(b"old")  # the earlier three-file layout, as it listed it
    manifest["files"]["decoder_with_past_model.onnx"] = {"sha256": hashlib.sha256(b"old").hexdigest(), "bytes": 3}
    (out / "onnxcore.json").write_text(json.dumps(manifest))
    run = run_cli("validate", str(out))
    assert run.code == 2 and "earlier onnxcore" in run.error_line and "export it again" in run.error_line


def test_an_onnx_folder_swapped_for_a_link_after_the_survey_is_not_followed(tmp_path: Path) -> None:
    """Removing the old export never follows a link put in place of onnx/: what it points to is left as it is
    (the link itself is removed only if it took the proved folder's inode, which file systems reuse)."""
    from onnxcore.staging import _discard, survey

    old = tmp_path / "old"
    (old / "onnx").mkdir(parents=True)
    (old / "onnx" / "model.onnx").write_bytes(b"graph")
    entry = {"sha256": hashlib.sha256(b"graph").hexdigest(), "bytes": 5}
    (old / "onnxcore.json").write_text(json.dumps({"onnxcore": "1", "files": {"onnx/model.onnx": entry}}))
    owned, foreign = survey(old)
    assert set(owned) == {"onnxcore.json", "onnx", "onnx/model.onnx"} and not foreign
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "model.onnx").write_bytes(b"the user's")
    (old / "onnx" / "model.onnx").unlink()
    (old / "onnx").rmdir()
    (old / "onnx").symlink_to(victim, target_is_directory=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kept with a warning, or removed as a link: either way not followed
        _discard(old, owned)
    assert (victim / "model.onnx").read_bytes() == b"the user's"


@pytest.mark.parametrize(
    ("checkpoint", "feature", "auto_class"),
    [
        (TINY_T5, "seq2seq-lm-with-past", "AutoModelForSeq2SeqLM"),
        (TINY_WHISPER, "speech2seq-lm-with-past", "AutoModelForSpeechSeq2Seq"),
    ],
    ids=["t5", "whisper"],
)
def test_the_merged_decoder_stores_each_decoder_weight_once(
    tmp_path: Path, checkpoint: Path, feature: str, auto_class: str
) -> None:
    """The bytes of the merged file's weights (1 KiB and up, every graph and branch) are the bytes of the
    decoder's parameters, not twice them: at most one more copy of a tied head, which TorchScript stores
    transposed for its MatMul beside the embedding its Gather reads."""
    import transformers

    from onnxcore.exporters.merged_decoder import large_tensors, tensor_bytes

    out = tmp_path / "out"
    assert run_cli("export", "-m", str(checkpoint), "--feature", feature, "--layout", "split",
                   "--no-generation-check", "-q", str(out)).code == 0  # fmt: skip
    model = getattr(transformers, auto_class).from_pretrained(checkpoint)
    head = model.get_output_embeddings().weight
    parameters = {id(p): p for p in [*model.get_decoder().parameters(), head]}
    decoder_bytes = sum(p.numel() * p.element_size() for p in parameters.values() if p.numel() * 4 >= 1024)
    tied = head.numel() * head.element_size() if head is model.get_decoder().get_input_embeddings().weight else 0
    merged = onnx.load(str(out / "decoder_model_merged.onnx"))
    stored = sum(tensor_bytes(tensor) for tensor in large_tensors(merged))
    assert decoder_bytes <= stored <= decoder_bytes + tied
    assert stored == sum(tensor_bytes(tensor) for tensor in merged.graph.initializer)  # all in the outer graph
