"""Core's encoder-decoder machinery on an architecture no plugin ships (BART, throwaway config): the split
layout, its validation and generation check, and the single graph's contract, with nothing model-specific."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper
from throwaway import Seq2SeqPlugin, TinySeq2SeqOnnxConfig, TinyTextOnnxConfig

from onnxcore.errors import LayoutNotApplicableError, UsageError
from onnxcore.exporters.onnx_files import restore_unused_inputs
from onnxcore.pipeline import ExportRequest, run_export
from onnxcore.seq2seq import applicable_layouts, check_layout, layout_configs
from onnxcore.testing.checkpoints import save_random_model


@pytest.fixture(scope="module")
def tiny_bart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """More decoder than encoder layers, fewer decoder than encoder heads; no tokenizer (config dummies)."""
    from transformers import BartConfig, BartForConditionalGeneration

    directory = tmp_path_factory.mktemp("tiny-bart")
    config = BartConfig(
        vocab_size=99,
        d_model=16,
        encoder_layers=2,
        decoder_layers=3,
        encoder_attention_heads=4,
        decoder_attention_heads=2,
        encoder_ffn_dim=20,
        decoder_ffn_dim=20,
        max_position_embeddings=64,
    )
    save_random_model(directory, BartForConditionalGeneration, config)
    return directory


@pytest.fixture
def seq2seq_plugin(use_plugins):
    return use_plugins(Seq2SeqPlugin())


def test_split_export_of_another_architecture_validates_and_generates(seq2seq_plugin, tiny_bart, tmp_path) -> None:
    request = ExportRequest(
        model=str(tiny_bart), output=tmp_path / "out", feature="seq2seq-lm-with-past", layout="split"
    )
    result = run_export(request)
    merged = "decoder_model_merged.onnx"
    assert list(result.validation) == ["encoder_model.onnx", merged, f"{merged}#with_past"]
    assert all(report.ok for report in result.validation.values())
    assert sorted(path.name for path in (tmp_path / "out").glob("*.onnx")) == [merged, "encoder_model.onnx"]
    first, later = result.validation[merged].input_shapes, result.validation[f"{merged}#with_past"].input_shapes
    assert first["past_key_values.2.decoder.key"] == (3, 2, 0, 8)  # the first step: an empty past, as Optimum's
    assert first["use_cache_branch"] == later["use_cache_branch"] == (1,)
    assert later["past_key_values.2.decoder.key"] == (3, 2, 12, 8)  # 3 decoder layers, 2 heads of 16 / 2
    assert later["past_key_values.2.encoder.key"] == (3, 2, 9, 8)
    assert result.generation is not None and result.generation.ok
    assert result.manifest["layout"] == "split"
    contract = layout_configs("split", TinySeq2SeqOnnxConfig.with_past(_config(tiny_bart), "seq2seq-lm"))[merged]
    assert list(result.manifest["files"][merged]["inputs"]) == list(contract.inputs)
    assert list(result.manifest["files"][merged]["outputs"]) == list(contract.outputs)
    _check_merged_graph(tmp_path / "out" / merged)


def _check_merged_graph(path: Path) -> None:
    """One If on use_cache_branch; every weight of 1 KiB or more stored once, in the outer graph; every past
    dimension symbolic (runtimes feed the first step's empty past in shapes of their own)."""
    from onnxcore.exporters.merged_decoder import large_tensors, tensor_digest

    model = onnx.load(str(path))
    graph = model.graph
    assert [node.op_type for node in graph.node] == ["If"]
    assert graph.node[0].input == ["use_cache_branch"]
    flag = next(value for value in graph.input if value.name == "use_cache_branch")
    assert flag.type.tensor_type.elem_type == TensorProto.BOOL
    assert [dim.dim_value for dim in flag.type.tensor_type.shape.dim] == [1]
    stored = large_tensors(model)
    assert len({tensor_digest(tensor) for tensor in stored}) == len(stored)
    assert {tensor.name for tensor in stored} == {tensor.name for tensor in graph.initializer}
    for value in graph.input:
        if value.name.startswith("past_key_values."):
            assert all(dim.dim_param for dim in value.type.tensor_type.shape.dim), value.name


def test_the_cross_attention_past_a_decoder_passes_through_is_held_once(tiny_bart) -> None:
    """The with-past decoder returns its cross-attention past unchanged: the reference keeps one array for both
    (at whisper-large-v3's validation batch that is 1.5 GB), and the decoder's own past, which grows, stays its
    own."""
    from transformers import BartForConditionalGeneration

    from onnxcore.seq2seq import layout_parts
    from onnxcore.validate import reference_run

    model = BartForConditionalGeneration.from_pretrained(tiny_bart).eval()
    config = TinySeq2SeqOnnxConfig.with_past(_config(tiny_bart), "seq2seq-lm")
    part = next(part for part in layout_parts("split", config, model) if part.check_name.endswith("#with_past"))
    run = reference_run(part.config, None, part.model)
    for layer in range(3):
        for kind in ("key", "value"):
            cross, own = f"{layer}.encoder.{kind}", f"{layer}.decoder.{kind}"
            assert run.outputs[f"present.{cross}"] is run.ort_inputs[f"past_key_values.{cross}"]
            assert not np.shares_memory(run.outputs[f"present.{own}"], run.ort_inputs[f"past_key_values.{own}"])


def test_single_graph_with_past_keeps_its_encoder_inputs(seq2seq_plugin, tiny_bart, tmp_path) -> None:
    """With the cross-attention past given the encoder inputs feed nothing; TorchScript drops such inputs, and
    core puts them back so that both exporters write the transformers.onnx inputs."""
    result = run_export(ExportRequest(model=str(tiny_bart), output=tmp_path / "out", feature="seq2seq-lm-with-past"))
    graph = onnx.load(str(tmp_path / "out" / "model.onnx")).graph
    assert [value.name for value in graph.input][:3] == [
        "input_ids",
        "attention_mask",
        "decoder_input_ids",
    ]
    assert result.validation["model.onnx"].ok and result.generation is None


def test_split_layout_is_for_encoder_decoders() -> None:
    from transformers import BertConfig

    with pytest.raises(UsageError, match="--layout split is for encoder-decoder models"):
        check_layout("split", TinyTextOnnxConfig(BertConfig()))
    with pytest.raises(UsageError, match="unknown layout 'merged'"):
        check_layout("merged", TinyTextOnnxConfig(BertConfig()))


@pytest.mark.parametrize("task", ["sequence-classification", "question-answering", "causal-lm"])
def test_split_layout_is_refused_for_a_head_that_runs_in_one_pass(task: str) -> None:
    """An encoder-decoder's classification and QA heads (and its decoder-only causal LM) have no encoder to
    split off: the layout is refused up front, in one line, not with an AttributeError from the model."""
    from transformers import BartConfig

    config = TinySeq2SeqOnnxConfig(BartConfig(), task=task)
    with pytest.raises(LayoutNotApplicableError, match=f"the {task} model runs encoder and decoder in one pass"):
        check_layout("split", config)
    assert applicable_layouts(TinySeq2SeqOnnxConfig, task) == ("single",)
    assert applicable_layouts(TinySeq2SeqOnnxConfig, "seq2seq-lm") == ("single", "split")


def test_restore_unused_inputs_puts_them_back_in_declared_order() -> None:
    declared = [
        helper.make_tensor_value_info(name, TensorProto.INT64, ["batch", "sequence"]) for name in ("a", "b", "c")
    ]
    graph = helper.make_graph(
        [helper.make_node("Add", ["a", "c"], ["out"])],
        "g",
        [declared[0], declared[2]],
        [helper.make_tensor_value_info("out", TensorProto.INT64, ["batch", "sequence"])],
    )
    model = helper.make_model(graph)
    restore_unused_inputs(model, declared)
    assert [value.name for value in model.graph.input] == ["a", "b", "c"]
    assert model.graph.input[1].type.tensor_type.elem_type == TensorProto.INT64
    onnx.checker.check_model(model)


def _config(directory: Path):
    from transformers import AutoConfig

    return AutoConfig.from_pretrained(directory)
