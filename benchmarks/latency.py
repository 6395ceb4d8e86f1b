"""ONNX Runtime latency of each tool's export of one workload, and PyTorch eager on the same shapes.

python benchmarks/latency.py WORKLOAD CHECKPOINT OUT.json TOOL=FOLDER [TOOL=FOLDER ...]

Inputs are made from each file's own input names (the tools spell a few differently) at fixed sizes: text 128
tokens, images 224x224, 30 s of audio (3000 frames), a decode step with 128 (GPT-2) or 32 (T5, Whisper) past
tokens. Batch 1 and 8; the median of several timed runs after two warm-up runs; 2 threads everywhere.
"""

from __future__ import annotations

import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
import torch
import transformers

THREADS = 2
DECODERS = ("decoder_model_merged.onnx", "decoder_with_past_model.onnx")
BATCHES = (1, 8)
RUNS = {1: 10, 8: 5}
# per workload: the files timed (part -> file name; "model.onnx" is what single-file exports write) and sizes
PARTS = {
    "bert": {"model": ("model.onnx",)},
    "vit": {"model": ("model.onnx",)},
    "gpt2": {"decode step": ("model.onnx",)},
    # the decoder a runtime runs: the merged one where the folder has it (Optimum's ORTModel classes prefer it)
    "t5": {"encoder": ("encoder_model.onnx",), "decode step": (*DECODERS, "model.onnx")},
    "whisper": {"encoder": ("encoder_model.onnx",), "decode step": (*DECODERS, "model.onnx")},
}
SIZES = {
    "bert": {"sequence": 128},
    "vit": {},
    "gpt2": {"past": 128},
    "t5": {"sequence": 128, "encoder_output": 128, "past": 32},
    "whisper": {"frames": 3000, "encoder_output": 1500, "past": 32},
}


def feeds(session: Any, config: Any, sizes: dict[str, int], batch: int) -> dict[str, np.ndarray]:
    """Random inputs for every input of ``session``, by name."""
    rng = np.random.default_rng(0)
    names = [value.name for value in session.get_inputs()]
    has_past = any("past_key_values" in name for name in names)
    seq2seq = any(name.startswith("decoder_") for name in names) or "encoder_attention_mask" in names
    past, sequence = sizes.get("past", 0), sizes.get("sequence", 0)
    encoder_length = sizes.get("encoder_output", sequence)
    step = 1 if has_past else sequence
    result = {}
    for value in session.get_inputs():
        name, shape = value.name, value.shape
        if name == "input_ids" and "decoder_input_ids" in names:  # a single-file encoder-decoder's encoder input
            result[name] = rng.integers(0, 100, (batch, sequence))
        elif name in ("input_ids", "decoder_input_ids"):
            result[name] = rng.integers(0, 100, (batch, step))
        elif name == "attention_mask":
            length = past + 1 if has_past and not seq2seq else sequence
            result[name] = np.ones((batch, length), dtype=np.int64)
        elif name == "encoder_attention_mask":
            result[name] = np.ones((batch, encoder_length), dtype=np.int64)
        elif name == "decoder_attention_mask":
            result[name] = np.ones((batch, past + 1), dtype=np.int64)
        elif name == "token_type_ids":
            result[name] = np.zeros((batch, sequence), dtype=np.int64)
        elif name == "position_ids":
            result[name] = np.tile(np.arange(past, past + step), (batch, 1))
        elif name == "pixel_values":
            size = (batch, config.num_channels, config.image_size, config.image_size)  # some exports name these axes
            result[name] = rng.standard_normal(size).astype(np.float32)
        elif name == "input_features":
            result[name] = rng.standard_normal((batch, config.num_mel_bins, sizes["frames"])).astype(np.float32)
        elif name in ("encoder_hidden_states", "encoder_outputs"):
            result[name] = rng.standard_normal((batch, encoder_length, shape[2])).astype(np.float32)
        elif "past_key_values" in name:
            cross = re.search(r"\.encoder\.|cross", name) is not None
            heads, head_dim = cache_heads(config)
            result[name] = rng.standard_normal((batch, heads, encoder_length if cross else past, head_dim)).astype(
                np.float32
            )
        elif name == "use_cache_branch":
            result[name] = np.array([True])
        else:
            raise SystemExit(f"no rule for input {name} {shape}")
    return {name: value.astype(np.int64) if value.dtype.kind == "i" else value for name, value in result.items()}


def cache_heads(config: Any) -> tuple[int, int]:
    """(heads, head size) of the decoder's cache, from the config: a merged decoder leaves them symbolic."""
    if hasattr(config, "d_kv"):  # T5
        return config.num_heads, config.d_kv
    if hasattr(config, "decoder_attention_heads"):  # Whisper
        return config.decoder_attention_heads, config.d_model // config.decoder_attention_heads
    return config.n_head, config.n_embd // config.n_head  # GPT-2


def timed(call: Callable[[], Any], runs: int) -> float:
    """Median milliseconds of ``runs`` calls after two warm-up calls."""
    call()
    call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def ort_latency(path: Path, config: Any, sizes: dict[str, int]) -> dict[str, float]:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    result = {}
    for batch in BATCHES:
        feed = feeds(session, config, sizes, batch)
        result[str(batch)] = timed(partial(session.run, None, feed), RUNS[batch])
    return result


def _past(config: Any, batch: int, length: int, layers: int, heads: int, head_dim: int) -> list[torch.Tensor]:
    return [torch.randn(batch, heads, length, head_dim) for _ in range(layers)]


def eager_call(workload: str, model: Any, part: str, sizes: dict[str, int], batch: int) -> Callable[[], Any]:
    """The PyTorch computation a part's ONNX file performs, on the same shapes."""
    config = model.config
    sequence, past = sizes.get("sequence", 0), sizes.get("past", 0)
    if workload == "bert":
        ids = torch.randint(0, 100, (batch, sequence))
        return lambda: model(input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids))
    if workload == "vit":
        pixels = torch.randn(batch, 3, config.image_size, config.image_size)
        return lambda: model(pixel_values=pixels)
    if workload == "gpt2":
        head_dim = config.n_embd // config.n_head
        layers = [tuple(_past(config, batch, past, 2, config.n_head, head_dim)) for _ in range(config.n_layer)]
        ids, mask = torch.randint(0, 100, (batch, 1)), torch.ones(batch, past + 1, dtype=torch.long)

        def step() -> Any:
            cache = transformers.DynamicCache.from_legacy_cache(tuple(layers))
            return model(input_ids=ids, attention_mask=mask, past_key_values=cache)

        return step
    encoder_length = sizes["encoder_output"]
    if workload == "t5":
        encoder_inputs = {"input_ids": torch.randint(0, 100, (batch, sequence))}
        encoder_inputs["attention_mask"] = torch.ones_like(encoder_inputs["input_ids"])
        heads, head_dim, layers, hidden = config.num_heads, config.d_kv, config.num_decoder_layers, config.d_model
    else:
        encoder_inputs = {"input_features": torch.randn(batch, config.num_mel_bins, sizes["frames"])}
        heads, layers, hidden = config.decoder_attention_heads, config.decoder_layers, config.d_model
        head_dim = hidden // heads
    if part == "encoder":
        encoder = model.get_encoder()
        return lambda: encoder(**encoder_inputs)
    hidden_states = torch.randn(batch, encoder_length, hidden)
    cache_layers = [
        (*_past(config, batch, past, 2, heads, head_dim), *_past(config, batch, encoder_length, 2, heads, head_dim))
        for _ in range(layers)
    ]
    decoder_ids = torch.randint(0, 100, (batch, 1))
    extra = {"attention_mask": torch.ones(batch, encoder_length, dtype=torch.long)} if workload == "t5" else {}

    def decode() -> Any:
        cache = transformers.EncoderDecoderCache.from_legacy_cache(tuple(cache_layers))
        return model(decoder_input_ids=decoder_ids, encoder_outputs=(hidden_states,), past_key_values=cache, **extra)

    return decode


def main() -> None:
    workload, checkpoint, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    folders = dict(argument.split("=", 1) for argument in sys.argv[4:])
    torch.set_num_threads(THREADS)
    config = transformers.AutoConfig.from_pretrained(checkpoint)
    sizes = SIZES[workload]
    results: dict[str, Any] = {"sizes": sizes, "parts": {}}
    model_class = {
        "bert": transformers.AutoModel,
        "vit": transformers.AutoModelForImageClassification,
        "gpt2": transformers.AutoModelForCausalLM,
        "t5": transformers.AutoModelForSeq2SeqLM,
        "whisper": transformers.AutoModelForSpeechSeq2Seq,
    }[workload]
    model = model_class.from_pretrained(checkpoint).eval()
    for part, file_names in PARTS[workload].items():
        figures: dict[str, Any] = {}
        for tool, folder in folders.items():
            path = next((Path(folder) / name for name in file_names if (Path(folder) / name).is_file()), None)
            if path is None:
                continue
            figures[tool] = ort_latency(path, config, sizes) | {"file": path.name}
            print(f"  latency {workload} {part} {tool} ({path.name}): {figures[tool]}", flush=True)
        with torch.no_grad():
            figures["pytorch eager"] = {
                str(batch): timed(eager_call(workload, model, part, sizes, batch), RUNS[batch]) for batch in BATCHES
            }
        print(f"  latency {workload} {part} pytorch eager: {figures['pytorch eager']}", flush=True)
        results["parts"][part] = figures
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
