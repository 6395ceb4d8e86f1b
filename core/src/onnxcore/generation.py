"""Greedy generation in ONNX Runtime over a ``-with-past`` export, checked token for token against ``generate()``.

Output-by-output validation shows one forward call is right; this shows the graph works as a generation loop:
the prompt goes in with an empty past, then one token per step, each step's ``present.*`` fed back as
``past_key_values.*``. A batch of prompts of different lengths is left-padded, as batched generation is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import UsageError, ValidationError
from .model_inputs import PAST_INPUT, is_past_input
from .validate import onnxruntime_session

DEFAULT_PROMPTS = ("The quick brown fox jumps over the lazy dog, and then it", "Hello")
DEFAULT_MAX_NEW_TOKENS = 20
PRESENT_OUTPUT = "present"


@dataclasses.dataclass
class GenerationReport:
    """New token ids per prompt from ONNX Runtime and from the framework's ``generate()``."""

    prompt_lengths: list[int]
    max_new_tokens: int
    onnx_tokens: list[list[int]]
    reference_tokens: list[list[int]]

    @property
    def ok(self) -> bool:
        """Whether every prompt generated exactly the same tokens."""
        return self.onnx_tokens == self.reference_tokens

    def summary(self) -> str:
        """One line per prompt: identical, or where the sequences part."""
        lines = []
        for index, (got, want) in enumerate(zip(self.onnx_tokens, self.reference_tokens)):
            head = f"prompt {index} ({self.prompt_lengths[index]} tokens): "
            if got == want:
                lines.append(head + f"{len(got)} new tokens identical")
                continue
            step = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            lines.append(
                head
                + f"differs from new token {step}: onnx {got[step : step + 5]} vs reference {want[step : step + 5]}"
            )
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return dataclasses.asdict(self) | {"ok": self.ok}


def check_generation_settings(prompts: Sequence[str], max_new_tokens: int) -> None:
    """Reject settings the check cannot run with, before any work is done."""
    if max_new_tokens < 1:
        raise UsageError(f"--max-new-tokens must be at least 1, not {max_new_tokens}.")
    if not prompts or any(not prompt.strip() for prompt in prompts):
        raise UsageError("every --prompt must have some text.")


def can_check_generation(config: Any, model: Any) -> bool:
    """Whether the export is a decoder-with-past graph of a model that generates (``causal-lm-with-past``)."""
    from .config import OnnxSeq2SeqConfigWithPast

    if not getattr(config, "use_past", False) or isinstance(config, OnnxSeq2SeqConfigWithPast):
        return False
    return bool(getattr(model, "can_generate", lambda: False)()) and "logits" in config.outputs


def _empty_past(session: Any, batch: int) -> dict[str, np.ndarray]:
    """Past inputs with length 0: named dims are the batch or a length, fixed dims (heads, head size) stay."""
    past = {}
    for value in session.get_inputs():
        if is_past_input(value.name):
            shape = [dim if isinstance(dim, int) else (batch if "batch" in str(dim) else 0) for dim in value.shape]
            dtype = np.float16 if value.type == "tensor(float16)" else np.float32
            past[value.name] = np.zeros(shape, dtype=dtype)
    return past


def greedy_generate(
    session: Any,
    input_ids: np.ndarray,
    attention_mask: np.ndarray,
    max_new_tokens: int,
    eos_token_ids: Sequence[int] = (),
    pad_token_id: int = 0,
) -> np.ndarray:
    """New token ids (batch, <= max_new_tokens) of greedy decoding with an ONNX Runtime ``session``.

    Mirrors ``generate()``: a row that emitted an eos id continues with ``pad_token_id``; decoding stops
    when every row has finished.
    """
    batch = input_ids.shape[0]
    past = _empty_past(session, batch)
    past_names = list(past)
    output_names = ["logits", *(PRESENT_OUTPUT + name[len(PAST_INPUT) :] for name in past_names)]
    step_ids, mask = input_ids.astype(np.int64), attention_mask.astype(np.int64)
    unfinished = np.ones(batch, dtype=bool)
    new_tokens: list[np.ndarray] = []
    for _ in range(max_new_tokens):
        logits, *presents = session.run(output_names, {"input_ids": step_ids, "attention_mask": mask, **past})
        next_ids = np.where(unfinished, logits[:, -1].argmax(-1), pad_token_id).astype(np.int64)
        new_tokens.append(next_ids)
        unfinished &= ~np.isin(next_ids, list(eos_token_ids))
        if not unfinished.any():
            break
        past = dict(zip(past_names, presents))
        step_ids = next_ids[:, None]
        mask = np.concatenate([mask, np.ones((batch, 1), dtype=np.int64)], axis=1)
    return np.stack(new_tokens, axis=1)


def _token_ids(value: Any) -> list[int]:
    if value is None:
        return []
    return [value] if isinstance(value, int) else list(value)


def left_padded_prompts(
    preprocessor: Any, prompts: Sequence[str], pad_token_id: int, vocab_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """(input_ids, attention_mask) of the prompts, left-padded; random ids of the prompts' lengths in characters
    // 4 when there is no tokenizer (the checkpoint has none)."""
    if preprocessor is not None and hasattr(preprocessor, "encode"):
        rows = [list(preprocessor(prompt)["input_ids"]) for prompt in prompts]
    else:
        rng = np.random.default_rng(3)
        rows = [list(rng.integers(1, vocab_size, size=max(2, len(prompt) // 4))) for prompt in prompts]
    empty = [index for index, row in enumerate(rows) if not row]
    if empty:
        raise UsageError(f"prompt {empty[0]} ({prompts[empty[0]]!r}) has no tokens; pass a non-empty --prompt.")
    width = max(len(row) for row in rows)
    input_ids = np.full((len(rows), width), pad_token_id, dtype=np.int64)
    attention_mask = np.zeros((len(rows), width), dtype=np.int64)
    for index, row in enumerate(rows):
        input_ids[index, width - len(row) :] = row
        attention_mask[index, width - len(row) :] = 1
    return input_ids, attention_mask


def check_generation(
    onnx_model: Path,
    reference_model: Any,
    preprocessor: Any = None,
    prompts: Sequence[str] = DEFAULT_PROMPTS,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
) -> GenerationReport:
    """Greedy-generate from ``prompts`` with ``onnx_model`` in ONNX Runtime and with ``reference_model.generate()``;
    raises :class:`~onnxcore.errors.ValidationError` unless every new token id is the same."""
    import torch
    from transformers import GenerationConfig

    config = reference_model.config
    defaults = getattr(reference_model, "generation_config", None) or config
    eos = _token_ids(getattr(defaults, "eos_token_id", None)) or _token_ids(getattr(config, "eos_token_id", None))
    pad = next(
        (
            value
            for value in (getattr(config, "pad_token_id", None), getattr(preprocessor, "pad_token_id", None))
            if isinstance(value, int)
        ),
        eos[0] if eos else 0,
    )
    input_ids, attention_mask = left_padded_prompts(preprocessor, prompts, pad, int(config.vocab_size))

    positions = getattr(config, "n_positions", None) or getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and input_ids.shape[1] + max_new_tokens > positions:
        raise UsageError(
            f"the longest prompt ({input_ids.shape[1]} tokens) plus {max_new_tokens} new tokens exceeds the model's"
            f" {positions} positions; use a shorter --prompt or fewer --max-new-tokens."
        )
    session = onnxruntime_session(onnx_model)
    if not any(is_past_input(value.name) for value in session.get_inputs()):
        raise UsageError(f"{onnx_model} takes no past_key_values; the generation check needs a -with-past export.")
    onnx_tokens = greedy_generate(session, input_ids, attention_mask, max_new_tokens, eos, pad)

    greedy = GenerationConfig(
        do_sample=False, num_beams=1, max_new_tokens=max_new_tokens, eos_token_id=eos or None, pad_token_id=pad
    )
    saved, reference_model.generation_config = reference_model.generation_config, greedy
    try:
        with torch.no_grad():
            generated = reference_model.generate(
                input_ids=torch.from_numpy(input_ids),
                attention_mask=torch.from_numpy(attention_mask),
                generation_config=greedy,
            )
    finally:
        reference_model.generation_config = saved
    reference_tokens = generated[:, input_ids.shape[1] :].numpy()

    report = GenerationReport(
        prompt_lengths=[int(row.sum()) for row in attention_mask],
        max_new_tokens=max_new_tokens,
        onnx_tokens=onnx_tokens.tolist(),
        reference_tokens=reference_tokens.tolist(),
    )
    if not report.ok:
        raise ValidationError(
            "greedy generation in ONNX Runtime differs from the PyTorch model's generate():\n"
            + report.summary()
            + "\nCheck that the export was made from this checkpoint; if it was, please report it"
            " (--no-generation-check exports without this check)."
        )
    return report
