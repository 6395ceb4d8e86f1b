"""Random checkpoints and arguments thrown at the CLI: every run ends in a result or one error line, with the
documented exit code, never a traceback, and never a partial output folder."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path

from conftest import TINY_BERT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onnxcore.cli import main

CONFIG_FIELDS = {
    "model_type": st.sampled_from(["bert", "gpt2", "bart", "", "nonsense"]),
    "hidden_size": st.integers(-4, 48),
    "num_attention_heads": st.integers(0, 6),
    "num_hidden_layers": st.integers(0, 3),
    "intermediate_size": st.integers(1, 40),
    "vocab_size": st.sampled_from([1, 50, 120, "many"]),
    "max_position_embeddings": st.integers(1, 64),
}
ARGUMENTS = st.lists(
    st.one_of(
        st.tuples(
            st.just("--feature"), st.sampled_from(["default", "masked-lm", "all", "auto", "causal-lm-with-past", "x"])
        ),
        st.tuples(st.just("--opset"), st.sampled_from(["7", "11", "14", "18", "99", "-1", "eleven"])),
        st.tuples(st.just("--atol"), st.sampled_from(["1e-4", "0", "-1", "nan"])),
        st.tuples(st.just("--layout"), st.sampled_from(["single", "split", "both"])),
        st.tuples(st.just("--exporter"), st.sampled_from(["torchscript", "dynamo", "tf2onnx"])),
        st.tuples(st.just("--framework"), st.sampled_from(["pt", "tf", "jax"])),
        st.tuples(st.just("--preprocessor"), st.sampled_from(["auto", "tokenizer", "image_processor"])),
    ),
    max_size=3,
)


def _checkpoint(folder: Path, fields: dict[str, object], keep_weights: bool) -> None:
    shutil.copytree(TINY_BERT, folder)
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps(config | fields))
    if not keep_weights:
        (folder / "model.safetensors").unlink()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    fields=st.fixed_dictionaries({}, optional=CONFIG_FIELDS),
    arguments=ARGUMENTS,
    keep_weights=st.booleans(),
)
def test_any_input_ends_in_a_result_or_one_error_line(fields, arguments, keep_weights) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        _checkpoint(root / "checkpoint", fields, keep_weights)
        output = root / "out"
        argv = ["export", "-m", str(root / "checkpoint"), *[part for pair in arguments for part in pair], str(output)]
        out, err = io.StringIO(), io.StringIO()
        try:
            code = main(argv, out, err)
        except SystemExit as exit_:  # argparse refused the arguments and printed its usage line itself
            assert exit_.code == 2 and not output.exists()
            return
        text = err.getvalue()
        assert "Traceback" not in text and "unexpected" not in text, text
        assert code in (0, 1, 2), (code, text)
        if code == 0:
            assert output.is_dir() and "error:" not in text
        else:
            assert any(line.startswith("error:") for line in text.splitlines()), text
            if output.exists():  # a multi-feature run keeps the features that passed, each complete
                assert all((folder / "onnxcore.json").is_file() for folder in output.iterdir()), text
        assert sorted(path.name for path in root.iterdir()) in (["checkpoint"], ["checkpoint", "out"])
