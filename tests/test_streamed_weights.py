"""The weight-free export path (onnxcore.exporters.streamed_weights): the TorchScript exporter traces without the
weights and onnxcore writes them from the model, one tensor at a time.

On every family's tiny example it gives the same ONNX Runtime outputs and the same weights as torch writing them
(the path before it), with external data written once, aligned and complete; on a 600 MB GPT-2 the process never
holds a second copy of the weights; killed while writing them, it leaves nothing at OUT.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
import pytest
from conftest import TINY_BERT, TINY_GPT2, TINY_T5, TINY_VIT, TINY_WHISPER, onnx_graphs, run_cli
from onnx import external_data_helper

from onnxcore import onnx_wire, pipeline
from onnxcore.plugins import get_registry
from onnxcore.request import ExportRequest
from onnxcore.validate import onnxruntime_session, session_feed

FAMILIES = {
    "bert": (TINY_BERT, "default", "single"),
    "gpt2": (TINY_GPT2, "causal-lm-with-past", "single"),
    "t5": (TINY_T5, "seq2seq-lm-with-past", "split"),
    "vit": (TINY_VIT, "image-classification", "single"),
    "whisper": (TINY_WHISPER, "speech2seq-lm-with-past", "split"),
}


@pytest.fixture
def in_memory_weights() -> Iterator[None]:
    """The TorchScript exporter as it was before the weight-free path: torch serializes the weights."""
    exporter = get_registry().exporter("torchscript")
    exporter.stream_weights = False
    try:
        yield
    finally:
        del exporter.stream_weights  # back to the class's default


def _tensors(path: Path) -> list[onnx.TensorProto]:
    return [tensor for graph in onnx_graphs(path) for tensor in graph.initializer]


def _weight_digests(path: Path) -> list[str]:
    """The digest of each large weight's bytes, inline or external."""
    digests = []
    for tensor in _tensors(path):
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            info = external_data_helper.ExternalDataInfo(tensor)
            with open(path.parent / info.location, "rb") as data:
                data.seek(info.offset)
                raw = data.read(info.length)
        else:
            raw = tensor.raw_data
        if len(raw) >= 1024:
            digests.append(hashlib.sha256(f"{tensor.data_type}{list(tensor.dims)}".encode() + raw).hexdigest())
    return sorted(digests)


def _check_external_data(path: Path) -> None:
    """Every large weight in the .data file once, each at a 4096-aligned offset with its full length, the file
    nothing but them and their padding."""
    data_file = path.with_name(path.name + ".data")
    size = data_file.stat().st_size
    ranges = []
    for tensor in _tensors(path):
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            assert len(tensor.raw_data) < 1024, tensor.name
            continue
        info = external_data_helper.ExternalDataInfo(tensor)
        assert info.location == data_file.name and info.offset % onnx_wire.ALIGNMENT == 0, tensor.name
        element = onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type).itemsize
        assert info.length == int(np.prod(tensor.dims, dtype=np.int64)) * element, tensor.name
        ranges.append((info.offset, info.offset + info.length))
    ranges.sort()
    assert ranges and ranges[-1][1] == size  # complete: the file ends with the last tensor
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert end <= start < end + onnx_wire.ALIGNMENT  # no overlap, nothing but padding between
    assert len(set(_weight_digests(path))) == len(ranges)  # each weight once


def _export_files(request: ExportRequest, folder: Path) -> tuple[pipeline.Plan, pipeline.Loaded]:
    folder.mkdir()
    planned = pipeline.plan(request, lambda message: None)
    loaded = pipeline.load(planned, lambda message: None)
    pipeline.export_files(planned, loaded, folder, lambda message: None)
    return planned, loaded


@pytest.mark.parametrize("family", FAMILIES)
def test_the_weight_free_path_writes_what_torch_wrote(family, tmp_path, request) -> None:
    checkpoint, feature, layout = FAMILIES[family]
    export = ExportRequest(model=str(checkpoint), feature=feature, layout=layout, external_data=True, output=tmp_path)
    planned, loaded = _export_files(export, tmp_path / "streamed")
    request.getfixturevalue("in_memory_weights")
    _export_files(export, tmp_path / "torch")
    files = sorted(path.name for path in (tmp_path / "streamed").glob("*.onnx"))
    assert files == sorted(path.name for path in (tmp_path / "torch").glob("*.onnx"))
    for name in files:
        _check_external_data(tmp_path / "streamed" / name)
        assert _weight_digests(tmp_path / "streamed" / name) == _weight_digests(tmp_path / "torch" / name)
    pending = pipeline.prepare_checks(
        loaded.parts, loaded.onnx_config, loaded.model, loaded.preprocessor, planned, 1e-5, lambda message: None
    )
    for check, reference in pending.references.items():  # each file, and each branch of a merged decoder
        outputs = []
        for folder in ("streamed", "torch"):
            session = onnxruntime_session(tmp_path / folder / pending.files[check])
            outputs.append(session.run(None, session_feed(session, reference.ort_inputs)))
        for streamed, traced in zip(*outputs):
            np.testing.assert_allclose(streamed, traced, atol=1e-5, rtol=1e-5, err_msg=check)


# --- one copy of the weights ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gpt2_600mb(tmp_path_factory) -> tuple[Path, int]:
    """A GPT-2 of 604 MB of fp32 weights (1024 wide, 12 layers): big enough that a second copy of its weights
    stands out from what the process holds besides them (about 150 MB more while ONNX Runtime runs)."""
    from transformers import GPT2Config, GPT2LMHeadModel

    from onnxcore.testing.checkpoints import save_byte_level_bpe_tokenizer, save_random_model

    folder = tmp_path_factory.mktemp("gpt2-600mb")
    tokenizer = save_byte_level_bpe_tokenizer(folder)
    config = GPT2Config(
        n_embd=1024, n_layer=12, n_head=16, vocab_size=len(tokenizer), eos_token_id=tokenizer.eos_token_id
    )
    model = save_random_model(folder, GPT2LMHeadModel, config)
    weights = sum(parameter.numel() * 4 for parameter in model.parameters())
    return folder, weights


_CHILD = """
import sys
from onnxcore.cli import main
from onnxcore.plugins import get_registry
get_registry().exporter("torchscript").stream_weights = sys.argv[1] == "streamed"
sys.exit(main(sys.argv[2:]))
"""


def _rss(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def _peak_above_baseline(path: str, checkpoint: Path, output: Path) -> int:
    """Run an export (weights ``path``: streamed or torch's) in a process of its own, sampling its RSS from outside
    (a thread inside would wait for torch's passes, which hold the GIL): the peak above the RSS it had when it
    started loading the model, with torch, transformers and onnxcore imported."""
    # external data: ONNX Runtime reading an inline file holds its protobuf and its tensors at once (1.45x)
    arguments = ["export", "-m", str(checkpoint), "--feature", "causal-lm", "--external-data", str(output)]
    argv = [sys.executable, "-c", _CHILD, path, *arguments]
    process = subprocess.Popen(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    baseline: list[int] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith("Loading") and not baseline:
                baseline.append(_rss(process.pid))

    reader = threading.Thread(target=read)
    reader.start()
    peak = 0
    while process.poll() is None:
        try:
            peak = max(peak, _rss(process.pid))
        except OSError:
            break
        time.sleep(0.005)
    reader.join()
    assert process.wait() == 0 and baseline
    return peak - baseline[0]


def test_an_export_never_holds_the_weights_twice(gpt2_600mb, tmp_path) -> None:
    checkpoint, weights = gpt2_600mb
    streamed = _peak_above_baseline("streamed", checkpoint, tmp_path / "streamed")
    # the model, then the ONNX Runtime session, one at a time (with what each needs besides the weights, about
    # 1.3x): a second full copy of the weights at any moment makes it 2x or more
    assert streamed < 1.6 * weights, f"{streamed / weights:.2f}x the weights"
    # the probe sees a second copy: torch's in-memory protobuf holds several
    in_memory = _peak_above_baseline("torch", checkpoint, tmp_path / "torch")
    assert in_memory > 2 * weights, f"{in_memory / weights:.2f}x the weights"


def test_a_run_killed_while_it_writes_the_weights_leaves_nothing_at_out(gpt2_600mb, tmp_path) -> None:
    checkpoint, _ = gpt2_600mb
    output = tmp_path / "out"
    argv = [sys.executable, "-m", "onnxcore", "export", "-m", str(checkpoint), "--feature", "causal-lm"]
    process = subprocess.Popen([*argv, "--external-data", str(output)], stderr=subprocess.DEVNULL)
    partial = None
    deadline = time.monotonic() + 300
    while partial is None and process.poll() is None and time.monotonic() < deadline:
        partial = next(tmp_path.glob(".onnxcore-staging-*/model.onnx.data.partial"), None)
        time.sleep(0.002)
    assert partial is not None, "the streaming write was not seen"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert not output.exists()
    assert run_cli("export", "-q", "-m", str(TINY_BERT), str(output)).code == 0
    assert sorted(os.listdir(tmp_path)) == ["out"]  # the killed run's staging folder was swept
