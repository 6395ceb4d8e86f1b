"""PyTorch: how core makes tensors, runs, wraps and generates with transformers' PyTorch models.

Imported through :attr:`onnxcore.frameworks.Framework.ops` only, when a PyTorch model is in play.
"""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from transformers import DynamicCache, EncoderDecoderCache, GenerationMixin
from transformers.modeling_outputs import BaseModelOutput


def version() -> str:
    """The installed torch version."""
    return str(torch.__version__)


def to_tensor(array: np.ndarray) -> torch.Tensor:
    """A numpy array as a tensor (sharing its memory when it is contiguous)."""
    return torch.from_numpy(np.ascontiguousarray(array))


def _weights_dtype(model: Any) -> torch.dtype:
    """The dtype of most of ``model``'s float weights: a wrapper module (a seq2seq part) has no ``dtype`` of its
    own, and a half-precision T5 keeps some layers at float32 (``_keep_in_fp32_modules``)."""
    counts = collections.Counter(weight.dtype for weight in model.parameters() if weight.is_floating_point())
    return counts.most_common(1)[0][0] if counts else torch.float32


def model_dtype(model: Any) -> str:
    """``model``'s float dtype by torch's name: ``"float16"`` for a --dtype fp16 model."""
    return str(_weights_dtype(model)).removeprefix("torch.")


@contextlib.contextmanager
def widened(model: Any) -> Iterator[Any]:
    """``model`` at float32 inside the context, in place, and at its own dtypes again after (half precision to
    float32 and back is exact): its rounding is measured without a second copy of the weights."""
    tensors = [tensor for tensor in (*model.parameters(), *model.buffers()) if tensor.is_floating_point()]
    dtypes = [tensor.dtype for tensor in tensors]
    for tensor in tensors:
        tensor.data = tensor.data.float()
    try:
        yield model
    finally:
        for tensor, dtype in zip(tensors, dtypes):
            tensor.data = tensor.data.to(dtype)


def at_model_dtype(tensor: torch.Tensor, model: Any) -> torch.Tensor:
    """A float ``tensor`` at ``model``'s dtype (a --dtype fp16 model takes fp16 pixels, features and past)."""
    return tensor.to(_weights_dtype(model)) if tensor.is_floating_point() else tensor


def no_grad() -> contextlib.AbstractContextManager[Any]:
    """No autograd graph: the reference and generate() runs are inference only."""
    return torch.no_grad()


def for_inference(model: Any) -> Any:
    """``model`` on the CPU in eval mode (the exporter may have left it on another device)."""
    return model.to("cpu").eval()


def build_cache(layers: Sequence[tuple[Any, ...]]) -> Any:
    """A ``DynamicCache`` holding each layer's (key, value); built inside the traced call, so both exporters see
    plain tensors as graph inputs (torch.export cannot take a Cache object as an input)."""
    self_attention, cross_attention = DynamicCache(), DynamicCache()
    for index, layer in enumerate(layers):
        _hold(self_attention, layer[0], layer[1], index)
        if len(layer) == 4:  # seq2seq: decoder self-attention, then encoder (cross-attention) key/value
            _hold(cross_attention, layer[2], layer[3], index)
    if any(len(layer) == 4 for layer in layers):
        return EncoderDecoderCache(self_attention, cross_attention)
    return self_attention


def _hold(cache: Any, key: Any, value: Any, index: int) -> None:
    """Layer ``index`` of ``cache`` holding ``key`` and ``value`` themselves, not a copy.

    From transformers 4.56 a ``DynamicLayer``'s first ``update`` concatenates the tensors onto an empty one; traced,
    that is a one-input ``Concat`` that ONNX Runtime runs as a full copy of every past tensor on every call (for
    Whisper's cross-attention, [batch, heads, 1500, head_dim] per layer). The layer is still made by ``update``
    (its own bookkeeping, in any version); the copy it returns is then dropped and dead in the traced graph.
    """
    cache.update(key, value, index)
    if getattr(cache, "layers", None) is not None:  # transformers >= 4.56; before, update stored the tensor itself
        cache.layers[index].keys, cache.layers[index].values = key, value


def past(layers: Iterable[tuple[Any, ...]]) -> Any:
    """The past as transformers' PyTorch models take it: a ``Cache``."""
    return build_cache(list(layers))


def generation_position_ids(attention_mask: Any, sequence_length: int) -> Any:
    """Position ids of the last ``sequence_length`` tokens as ``generate()`` derives them from the mask.

    Each attended token's position is the number of attended tokens before it, so left padding does not shift
    positions. Padding tokens keep their plain index: that matches the model's own default for unpadded and
    right-padded batches exactly, and a padding token's position never reaches an attended one.
    """
    mask = attention_mask.long()
    counted = mask.cumsum(-1) - 1
    plain = torch.arange(mask.shape[-1], device=mask.device).unsqueeze(0).expand_as(mask)
    positions = torch.where(mask.bool(), counted, plain)
    return positions[:, mask.shape[-1] - sequence_length :]


def position_ids(attention_mask: Any, input_ids: Any) -> Any:
    """:func:`generation_position_ids` of ``input_ids``'s tokens."""
    return generation_position_ids(attention_mask, input_ids.shape[1])


def encoder_output(last_hidden_state: Any) -> Any:
    """The encoder's output as transformers' PyTorch models take it back."""
    return BaseModelOutput(last_hidden_state=last_hidden_state)


def zeros_states(key: Any, hidden_size: int) -> Any:
    """Zero encoder states of the batch and length (dims 0 and 2) of a cached encoder key."""
    return key.new_zeros(key.shape[0], key.shape[2], hidden_size)


def wrap_module(model: Any, call: type) -> Any:
    """``call`` around ``model`` as a ``torch.nn.Module`` in eval mode, which the PyTorch exporters trace."""

    class Module(call, torch.nn.Module):  # type: ignore[misc,valid-type]
        def __init__(self) -> None:
            torch.nn.Module.__init__(self)
            self.model = model

    Module.__name__ = Module.__qualname__ = call.__name__
    return Module().eval()


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """Weights drawn from ``seed`` inside the context, the caller's PyTorch RNG as it was afterwards."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


def generate(model: Any, inputs: Mapping[str, np.ndarray], greedy: Any, past_argument: str) -> np.ndarray:
    """``GenerationMixin.generate`` (the generic one: Whisper's own forces and suppresses tokens) on ``inputs``."""
    extra = {}
    if model.config.is_encoder_decoder:
        # generate() sizes its own cache by the encoder's layer count (transformers 4.57 and 5.24), which fails
        # when the decoder has more layers (T5's num_decoder_layers); an empty cache grows per layer instead.
        extra[past_argument] = EncoderDecoderCache(DynamicCache(), DynamicCache())
    with torch.no_grad():
        arguments = {name: at_model_dtype(torch.from_numpy(value), model) for name, value in inputs.items()}
        return GenerationMixin.generate(model, **arguments, generation_config=greedy, **extra).numpy()


def parse_device(device: str) -> tuple[str, int | None]:
    """``device``'s type and index (``("cuda", 1)``); ValueError or RuntimeError for a name torch does not know."""
    kind = torch.device(device)
    return kind.type, kind.index


def cuda_device_count() -> int:
    """How many CUDA devices this machine has (0 without CUDA)."""
    return torch.cuda.device_count() if torch.cuda.is_available() else 0


# Stand-ins for torch ops while the TorchScript exporter traces (see onnxcore.patching).


def _triangle(input: Any, diagonal: int, upper: bool) -> Any:
    """``torch.triu``/``tril`` as an index comparison: TorchScript writes ``Trilu`` only from opset 14."""
    rows = torch.arange(input.size(-2), device=input.device).unsqueeze(-1)
    columns = torch.arange(input.size(-1), device=input.device).unsqueeze(0)
    keep = columns - rows >= diagonal if upper else columns - rows <= diagonal
    return torch.where(keep, input, torch.zeros((), dtype=input.dtype, device=input.device))


def upper_triangle(input: Any, diagonal: int = 0, **_: Any) -> Any:
    """Stand-in for ``torch.triu`` while tracing (T5 builds its causal mask with it, at opset 13)."""
    return _triangle(input, diagonal, upper=True)


def lower_triangle(input: Any, diagonal: int = 0, **_: Any) -> Any:
    """Stand-in for ``torch.tril`` while tracing."""
    return _triangle(input, diagonal, upper=False)


def math_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Any:
    """``scaled_dot_product_attention`` written with matmul and softmax (inference: no dropout).

    The TorchScript exporter writes SDPA only from opset 14; models loaded with transformers' default SDPA
    attention (BERT's at opset 11, GPT-2's at 13) export through this instead.
    """
    if enable_gqa:
        repeats = query.size(-3) // key.size(-3)
        key, value = key.repeat_interleave(repeats, -3), value.repeat_interleave(repeats, -3)
    scores = torch.matmul(query, key.transpose(-2, -1)) * (query.size(-1) ** -0.5 if scale is None else scale)
    if is_causal:
        causal = lower_triangle(torch.ones(query.size(-2), key.size(-2), dtype=torch.bool, device=query.device))
        scores = scores.masked_fill(~causal, float("-inf"))
    if attn_mask is not None:
        scores = scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool else scores + attn_mask
    weights = torch.softmax(scores, dim=-1)
    fully_masked = torch.isinf(scores).all(dim=-1, keepdim=True)  # torch's SDPA gives 0 there, not NaN
    return torch.matmul(weights.masked_fill(fully_masked, 0.0), value)
