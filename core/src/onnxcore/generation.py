"""Greedy generation in ONNX Runtime over an export, checked token for token against ``generate()``.

Output-by-output validation shows one forward call is right; this shows the files work as a generation loop.
Decoders (``-with-past``): the prompt goes in with an empty past, then one token per step, each step's
``present.*`` fed back as ``past_key_values.*``. Encoder-decoders (split layout): the encoder runs once; the merged
decoder takes the start token with an empty past, then one token per step with the fed-back past (the
cross-attention past of the first step is kept, as Optimum and transformers.js keep it). A batch of prompts of different
lengths is left-padded, as batched generation is.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .config import OnnxSeq2SeqConfigWithPast
from .errors import UsageError, ValidationError, first_line
from .frameworks import framework_of
from .model_inputs import PAST_INPUT, PRESENT_OUTPUT, is_past_input, past_argument
from .runtimes import POSITION_IDS, generation_position_ids
from .seq2seq import DECODER, ENCODER, MERGED_DECODER, USE_CACHE_BRANCH
from .utils import processor_parts
from .validate import onnxruntime_errors, onnxruntime_session, session_feed

DEFAULT_PROMPTS = ("The quick brown fox jumps over the lazy dog, and then it", "Hello")
DEFAULT_MAX_NEW_TOKENS = 20


@dataclasses.dataclass
class GenerationReport:
    """New token ids per input from ONNX Runtime and from the framework's ``generate()``; ``prompt_lengths``
    counts tokens for text prompts and samples for audio."""

    prompt_lengths: list[int]
    max_new_tokens: int
    onnx_tokens: list[list[int]]
    reference_tokens: list[list[int]]

    @property
    def ok(self) -> bool:
        """Whether every prompt generated exactly the same tokens."""
        return self.onnx_tokens == self.reference_tokens

    @property
    def conclusive(self) -> bool:
        """Whether some input got at least two new tokens: with one (eos at once, or ``max_new_tokens`` 1) no step
        fed the past back, so identical tokens say nothing about generating with the export."""
        return max((len(tokens) for tokens in self.reference_tokens), default=0) >= 2

    @property
    def headline(self) -> str:
        """What the check showed, for the line above :meth:`summary`."""
        if not self.ok:
            return "Greedy generation differs from generate() (half precision: see the warning):"
        return "Greedy generation matches generate():" if self.conclusive else "Greedy generation inconclusive:"

    def summary(self) -> str:
        """One line per prompt: identical, or where the sequences part; then why an identical run is
        inconclusive, if it is."""
        lines = []
        for index, (got, want) in enumerate(zip(self.onnx_tokens, self.reference_tokens)):
            head = f"input {index} (length {self.prompt_lengths[index]}): "
            if got == want:
                lines.append(head + f"{len(got)} new tokens identical")
                continue
            step = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            lines.append(
                head
                + f"differs from new token {step}: onnx {got[step : step + 5]} vs reference {want[step : step + 5]}"
            )
        if self.ok and not self.conclusive:
            lines.append(INCONCLUSIVE)
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        status = "differs" if not self.ok else "identical" if self.conclusive else "inconclusive"
        return dataclasses.asdict(self) | {"ok": self.ok, "status": status}


INCONCLUSIVE = (
    "inconclusive: no input got more than 1 new token (the model emitted eos at once, or --max-new-tokens is 1),"
    " so no step fed the past back; check again with a --prompt the model continues or more --max-new-tokens."
)


def check_generation_settings(prompts: Sequence[str], max_new_tokens: int) -> None:
    """Reject settings the check cannot run with, before any work is done."""
    if max_new_tokens < 1:
        raise UsageError(f"--max-new-tokens must be at least 1, not {max_new_tokens}.")
    if not prompts or any(not prompt.strip() for prompt in prompts):
        raise UsageError("every --prompt must have some text.")


def can_check_generation(config: Any, model: Any, layout: str = "single") -> bool:
    """Whether the export can run as a generation loop: a decoder's ``-with-past`` graph, or the split layout of
    an encoder-decoder model, of a model that generates (has logits)."""
    if isinstance(config, OnnxSeq2SeqConfigWithPast):
        runnable = layout == "split"
    else:
        runnable = bool(getattr(config, "use_past", False))
    return runnable and bool(getattr(model, "can_generate", lambda: False)()) and "logits" in config.outputs


def _empty_past(session: Any, batch: int) -> dict[str, np.ndarray]:
    """Past inputs with length 0: named dims are the batch or a length, fixed dims (heads, head size) stay."""
    past = {}
    for value in session.get_inputs():
        if is_past_input(value.name):
            shape = [dim if isinstance(dim, int) else (batch if "batch" in str(dim) else 0) for dim in value.shape]
            dtype = np.float16 if value.type == "tensor(float16)" else np.float32
            past[value.name] = np.zeros(shape, dtype=dtype)
    return past


def _next_tokens(
    logits: np.ndarray, unfinished: np.ndarray, eos_token_ids: Sequence[int], pad_token_id: int
) -> np.ndarray:
    """The greedy next token of each row, ``pad_token_id`` for finished rows; marks rows that emit eos finished."""
    next_ids = np.where(unfinished, logits[:, -1].argmax(-1), pad_token_id).astype(np.int64)
    unfinished &= ~np.isin(next_ids, list(eos_token_ids))
    return next_ids


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
    takes_positions = any(value.name == POSITION_IDS for value in session.get_inputs())
    unfinished = np.ones(batch, dtype=bool)
    new_tokens: list[np.ndarray] = []
    for _ in range(max_new_tokens):
        feeds = {"input_ids": step_ids, "attention_mask": mask, **past}
        if takes_positions:  # as Optimum and transformers.js feed them
            feeds[POSITION_IDS] = generation_position_ids(mask, step_ids.shape[1])
        logits, *presents = session.run(output_names, feeds)
        next_ids = _next_tokens(logits, unfinished, eos_token_ids, pad_token_id)
        new_tokens.append(next_ids)
        if not unfinished.any():
            break
        past = dict(zip(past_names, presents))
        step_ids = next_ids[:, None]
        mask = np.concatenate([mask, np.ones((batch, 1), dtype=np.int64)], axis=1)
    return np.stack(new_tokens, axis=1)


def _run(session: Any, feeds: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    names = [value.name for value in session.get_outputs()]
    return dict(zip(names, session.run(names, dict(feeds))))


def greedy_generate_seq2seq(
    encoder: Any,
    decoder: Any,
    encoder_inputs: Mapping[str, np.ndarray],
    max_new_tokens: int,
    decoder_start_token_id: int,
    eos_token_ids: Sequence[int] = (),
    pad_token_id: int = 0,
) -> np.ndarray:
    """New token ids (batch, <= max_new_tokens) of greedy decoding with the split layout's sessions.

    The encoder runs once. A merged decoder (``use_cache_branch``) takes the start token with an empty past, then
    one token per step with the fed-back ``present.*``; a decoder without past reruns on the whole sequence.
    """
    feeds = session_feed(encoder, {value.name: encoder_inputs[value.name] for value in encoder.get_inputs()})
    hidden = encoder.run(["last_hidden_state"], feeds)[0]
    batch = hidden.shape[0]
    decoder_inputs = {value.name for value in decoder.get_inputs()}
    cross = {"encoder_hidden_states": hidden}
    if "encoder_attention_mask" in decoder_inputs:
        cross["encoder_attention_mask"] = encoder_inputs["attention_mask"]
    merged = USE_CACHE_BRANCH in decoder_inputs
    past = _empty_past(decoder, batch) if merged else {}
    tokens = np.full((batch, 1), decoder_start_token_id, dtype=np.int64)
    unfinished = np.ones(batch, dtype=bool)
    new_tokens: list[np.ndarray] = []
    for step in range(max_new_tokens):
        if merged:
            flag = {USE_CACHE_BRANCH: np.array([step > 0])}
            outputs = _run(decoder, {"input_ids": tokens[:, -1:], **cross, **past, **flag})
        else:
            outputs = _run(decoder, {"input_ids": tokens, **cross})
        next_ids = _next_tokens(outputs["logits"], unfinished, eos_token_ids, pad_token_id)
        new_tokens.append(next_ids)
        if not unfinished.any():
            break
        tokens = np.concatenate([tokens, next_ids[:, None]], axis=1)
        past.update(
            (PAST_INPUT + name[len(PRESENT_OUTPUT) :], value)
            for name, value in outputs.items()
            if merged and name.startswith(PRESENT_OUTPUT + ".") and (step == 0 or ".encoder." not in name)
        )
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


def _special_tokens(model: Any, preprocessor: Any) -> tuple[list[int], int]:
    """(eos ids, pad id) as ``generate()`` uses them: the generation config's, else the model config's."""
    config = model.config
    defaults = getattr(model, "generation_config", None) or config
    eos = _token_ids(getattr(defaults, "eos_token_id", None)) or _token_ids(getattr(config, "eos_token_id", None))
    pad = next(
        (
            value
            for value in (getattr(config, "pad_token_id", None), getattr(preprocessor, "pad_token_id", None))
            if isinstance(value, int)
        ),
        eos[0] if eos else 0,
    )
    return eos, pad


def _reference_tokens(
    model: Any, inputs: Mapping[str, np.ndarray], max_new_tokens: int, eos: list[int], pad: int
) -> np.ndarray:
    """The new token ids of transformers' generic ``generate()`` (``GenerationMixin``'s, or ``TFGenerationMixin``'s
    for TF models, so Whisper's forced and suppressed tokens stay off) with a greedy config (the checkpoint's may
    sample)."""
    from transformers import GenerationConfig  # lazily: keeps `import onnxcore` light

    greedy = GenerationConfig(
        do_sample=False, num_beams=1, max_new_tokens=max_new_tokens, eos_token_id=eos or None, pad_token_id=pad
    )
    if model.config.is_encoder_decoder:
        greedy.decoder_start_token_id = _decoder_start(model)
    # the new tokens follow the decoder start token, or the prompt
    prefix = 1 if model.config.is_encoder_decoder else inputs["input_ids"].shape[1]
    saved, model.generation_config = model.generation_config, greedy
    try:
        return framework_of(model).ops.generate(model, inputs, greedy, past_argument(model))[:, prefix:]
    finally:
        model.generation_config = saved


def generation_inputs(
    model: Any, preprocessor: Any, prompts: Sequence[str], pad: int
) -> tuple[dict[str, np.ndarray], list[int]]:
    """The batch to generate from and each item's length: the prompts, left-padded (tokens); for speech models
    (``input_features``), two generated sounds of different lengths and pitches (samples); for image-to-text
    models (``pixel_values``), two random pictures (pixels)."""
    config = model.config
    if getattr(model, "main_input_name", "input_ids") == "pixel_values":
        return _image_inputs(config, preprocessor)
    if getattr(model, "main_input_name", "input_ids") != "input_features":
        input_ids, attention_mask = left_padded_prompts(preprocessor, prompts, pad, int(config.vocab_size))
        return {"input_ids": input_ids, "attention_mask": attention_mask}, [int(row.sum()) for row in attention_mask]
    feature_extractor, _ = processor_parts(preprocessor)
    if feature_extractor is None or not hasattr(feature_extractor, "sampling_rate"):
        frames = 2 * getattr(config, "max_source_positions", 0)
        if not frames:
            raise UsageError("the checkpoint has no feature extractor to make audio inputs for the generation check.")
        features = np.random.default_rng(3).standard_normal((2, config.num_mel_bins, frames)).astype(np.float32)
        return {"input_features": features}, [frames, frames]
    rate = feature_extractor.sampling_rate
    waves = [
        0.5 * np.sin(2 * np.pi * frequency * np.arange(int(rate * seconds)) / rate)
        for frequency, seconds in ((220, 1.0), (550, 0.6))
    ]
    extracted = feature_extractor([wave.astype(np.float32) for wave in waves], sampling_rate=rate, return_tensors="np")
    return {"input_features": extracted["input_features"]}, [len(wave) for wave in waves]


def _image_inputs(config: Any, preprocessor: Any) -> tuple[dict[str, np.ndarray], list[int]]:
    """Two random pictures of different sizes through the checkpoint's image processor or, without one, normal
    noise at the (encoder's) ``image_size``; each item's length is its pixel count."""
    image_processor = getattr(preprocessor, "image_processor", None)
    if image_processor is None and "pixel_values" in getattr(preprocessor, "model_input_names", ()):
        image_processor = preprocessor
    rng = np.random.default_rng(3)
    if image_processor is not None:
        from PIL import Image  # lazily: keeps `import onnxcore` light

        pictures = [
            Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
            for height, width in ((40, 40), (48, 32))
        ]
        pixels = np.asarray(image_processor(images=pictures, return_tensors="np")["pixel_values"], dtype=np.float32)
    else:
        vision = getattr(config, "encoder", config)
        shape = (2, vision.num_channels, vision.image_size, vision.image_size)
        pixels = rng.standard_normal(shape).astype(np.float32)
    return {"pixel_values": pixels}, [int(pixels[0].size)] * 2


def _decoder_start(model: Any) -> int:
    start = getattr(model.generation_config, "decoder_start_token_id", None)
    if start is None:
        start = model.config.decoder_start_token_id
    if not isinstance(start, int):
        raise UsageError("the model config has no decoder_start_token_id; the generation check cannot start decoding.")
    return start


def _split_sessions(folder: Path, sessions: dict[Path, Any] | None = None, suffix: str = "") -> tuple[Any, Any]:
    """Sessions of a split export's encoder and decoder (the merged one, or the one without past); ``suffix``: a
    ``--quantize`` variant's (``_q4``)."""
    encoder = folder / f"{ENCODER}{suffix}.onnx"
    decoder = next(
        (
            path
            for path in (folder / f"{MERGED_DECODER}{suffix}.onnx", folder / f"{DECODER}{suffix}.onnx")
            if path.is_file()
        ),
        None,
    )
    if not encoder.is_file() or decoder is None:
        raise UsageError(
            f"{folder} has no {encoder.name} and {MERGED_DECODER}.onnx; the generation check of an encoder-decoder"
            " model needs an export made with --layout split."
        )
    return onnxruntime_session(encoder, sessions), onnxruntime_session(decoder, sessions)


@dataclasses.dataclass
class GenerationReference:
    """``generate()``'s new tokens and what ONNX Runtime needs to repeat them, kept so that the model can be
    freed before ONNX Runtime loads the export."""

    inputs: dict[str, np.ndarray]
    prompt_lengths: list[int]
    max_new_tokens: int
    eos: list[int]
    pad: int
    decoder_start: int | None  # encoder-decoders only
    tokens: np.ndarray
    label: str


def generation_reference(
    reference_model: Any,
    preprocessor: Any = None,
    prompts: Sequence[str] = DEFAULT_PROMPTS,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
) -> GenerationReference:
    """Greedy-generate from ``prompts`` with ``reference_model.generate()``."""
    config = reference_model.config
    eos, pad = _special_tokens(reference_model, preprocessor)
    inputs, lengths = generation_inputs(reference_model, preprocessor, prompts, pad)
    positions = next(
        (
            value
            for name in ("n_positions", "max_position_embeddings", "max_target_positions")
            if isinstance(value := getattr(config, name, None), int)
        ),
        None,
    )
    if config.is_encoder_decoder:
        start, length, fix = "the decoder start token", 1 + max_new_tokens, "fewer --max-new-tokens"
    else:
        prompt = inputs["input_ids"].shape[1]
        start, length, fix = (
            f"the longest prompt ({prompt} tokens)",
            prompt + max_new_tokens,
            "a shorter --prompt or fewer --max-new-tokens",
        )
    if positions is not None and length > positions:
        raise UsageError(
            f"{start} plus {max_new_tokens} new tokens exceeds the model's {positions} positions; use {fix}."
        )
    decoder_start = _decoder_start(reference_model) if config.is_encoder_decoder else None
    tokens = _reference_tokens(reference_model, inputs, max_new_tokens, eos, pad)
    return GenerationReference(
        inputs, lengths, max_new_tokens, eos, pad, decoder_start, tokens, framework_of(reference_model).label
    )


def _onnx_tokens(
    onnx_model: Path, reference: GenerationReference, sessions: dict[Path, Any] | None = None, suffix: str = ""
) -> np.ndarray:
    """Greedy new token ids from the export: a decoder-with-past file, or a split encoder-decoder folder (its
    files with ``suffix``)."""
    inputs, max_new_tokens, eos, pad = reference.inputs, reference.max_new_tokens, reference.eos, reference.pad
    if reference.decoder_start is not None:
        folder = onnx_model if onnx_model.is_dir() else onnx_model.parent
        encoder, decoder = _split_sessions(folder, sessions, suffix)
        return greedy_generate_seq2seq(encoder, decoder, inputs, max_new_tokens, reference.decoder_start, eos, pad)
    session = onnxruntime_session(onnx_model, sessions)
    if not any(is_past_input(value.name) for value in session.get_inputs()):
        raise UsageError(f"{onnx_model} takes no past_key_values; the generation check needs a -with-past export.")
    return greedy_generate(session, inputs["input_ids"], inputs["attention_mask"], max_new_tokens, eos, pad)


def onnx_generation_tokens(
    onnx_model: Path, reference: GenerationReference, sessions: dict[Path, Any] | None = None, suffix: str = ""
) -> np.ndarray:
    """The export's greedy new tokens on the reference's prompts (see :func:`_onnx_tokens`); raises
    :class:`~onnxcore.errors.ValidationError` when ONNX Runtime cannot run the loop."""
    try:
        return _onnx_tokens(Path(onnx_model), reference, sessions, suffix)
    except onnxruntime_errors() as exc:  # a graph that runs at the validation's shapes but not at each step's
        raise ValidationError(
            f"ONNX Runtime cannot run the generation loop on {Path(onnx_model).name}: {first_line(exc)}"
        ) from exc


def compare_generation(
    onnx_model: Path, reference: GenerationReference, sessions: dict[Path, Any] | None = None, strict: bool = True
) -> GenerationReport:
    """Greedy-generate the reference's inputs with the export in ONNX Runtime; raises
    :class:`~onnxcore.errors.ValidationError` unless every new token id is the reference's. ``sessions``: see
    :func:`~onnxcore.validate.onnxruntime_session`. Not ``strict`` (a half-precision export): parted tokens are
    a warning, since where two logits are within rounding of each other the two runtimes may pick either."""
    onnx_tokens = onnx_generation_tokens(Path(onnx_model), reference, sessions).tolist()
    report = GenerationReport(
        prompt_lengths=reference.prompt_lengths,
        max_new_tokens=reference.max_new_tokens,
        onnx_tokens=onnx_tokens,
        reference_tokens=reference.tokens.tolist(),
    )
    if not report.ok and not strict:
        warnings.warn(
            "greedy generation in ONNX Runtime parts from generate() at half precision, where two logits within"
            " rounding of each other may go either way: " + report.summary().replace("\n", "; "),
            stacklevel=2,
        )
    elif not report.ok:
        raise ValidationError(
            f"greedy generation in ONNX Runtime differs from the {reference.label} model's generate():\n"
            + report.summary()
            + "\nCheck that the export was made from this checkpoint; if it was, please report it"
            " (--no-generation-check exports without this check)."
        )
    if not report.conclusive:
        warnings.warn(f"the generation check is {INCONCLUSIVE}", stacklevel=2)
    return report


def check_generation(
    onnx_model: Path,
    reference_model: Any,
    preprocessor: Any = None,
    prompts: Sequence[str] = DEFAULT_PROMPTS,
    max_new_tokens: int = DEFAULT_MAX_NEW_TOKENS,
) -> GenerationReport:
    """Greedy-generate from ``prompts`` with the export in ONNX Runtime and with ``reference_model.generate()``;
    raises :class:`~onnxcore.errors.ValidationError` unless every new token id is the same (a half-precision
    model's parted tokens are a warning: see :func:`compare_generation`).

    ``onnx_model``: a decoder's ``-with-past`` .onnx file, or the folder of an encoder-decoder split export.
    """
    reference = generation_reference(reference_model, preprocessor, prompts, max_new_tokens)
    strict = framework_of(reference_model).ops.model_dtype(reference_model) == "float32"
    return compare_generation(onnx_model, reference, strict=strict)
