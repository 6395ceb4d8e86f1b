"""The ONNX contracts of GPT-2-shaped decoders: transformers.onnx's ``GPT2OnnxConfig`` and the configs it shared
its inputs with (GPT-J, GPT-Neo, CodeGen, BLOOM), plus ImageGPT's, on onnxcore's base classes."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from onnxcore import OnnxConfig, OnnxConfigWithPast, OptimizerSpec, PatchingSpec

if TYPE_CHECKING:
    from transformers import PretrainedConfig


class GPT2OnnxConfig(OnnxConfigWithPast):
    """``input_ids``, (``past_key_values.{i}.key/.value``,) ``attention_mask``; with past, ``present.*`` too.

    Layers and heads are read through the config's standard names (``num_hidden_layers``,
    ``num_attention_heads``), which GPT-2's ``n_layer``/``n_head``, GPT-Neo's ``num_layers``/``num_heads`` and
    GPT-J's and CodeGen's ``n_layer``/``n_head`` all map to, so one class serves every one of them. Rotary
    (GPT-J, CodeGen) and learned (GPT-2, GPT-Neo) positions both come from ``position_ids``, which onnxcore
    derives from the mask in ``-with-past`` graphs.
    """

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """ONNX Runtime's GPT-2 fusions (LayerNormalization, SkipLayerNormalization, FastGelu)."""
        return OptimizerSpec("gpt2", self._config.num_attention_heads, self._config.hidden_size)

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        common_inputs: OrderedDict[str, Mapping[int, str]] = OrderedDict({"input_ids": {0: "batch", 1: "sequence"}})
        if self.use_past:
            self.fill_with_past_key_values_(common_inputs, direction="inputs")
            common_inputs["attention_mask"] = {0: "batch", 1: "past_sequence + sequence"}
        else:
            common_inputs["attention_mask"] = {0: "batch", 1: "sequence"}
        return common_inputs

    @property
    def num_layers(self) -> int:
        return self._config.num_hidden_layers

    @property
    def num_attention_heads(self) -> int:
        return self._config.num_attention_heads

    @property
    def default_onnx_opset(self) -> int:
        return 13


#: transformers.onnx's names for the same contract, so ``from transformers.models.gptj import GPTJOnnxConfig``
#: becomes ``from onnxcore_gpt2 import GPTJOnnxConfig``.
GPTJOnnxConfig = GPTNeoOnnxConfig = CodeGenOnnxConfig = GPT2OnnxConfig


class BloomOnnxConfig(GPT2OnnxConfig):
    """GPT-2's contract with transformers.onnx's BLOOM tolerance.

    BLOOM has no position ids: its ALiBi biases are built from the attention mask inside the graph, so left
    padding is handled by the mask alone. Its cache is (batch, heads, past, head size) for keys and values
    alike on current transformers, not transformers.onnx's fused (batch x heads, head size, past) keys.
    """

    def optimizer_spec(self, part: str | None = None) -> OptimizerSpec | None:
        """None: BLOOM's ALiBi attention is no pattern of ONNX Runtime's GPT-2 optimizer."""
        return None

    @property
    def atol_for_validation(self) -> float:
        return 1e-3


def _as_in_eager_mode(torch_float: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """transformers' ``torch_float`` called as in eager mode, on a Python number, also while tracing.

    ImageGPT scales attention by ``torch_float(head_size ** 0.5)``; transformers 4.x's returns ``int(x)`` in eager
    mode but a float tensor under TorchScript tracing, so a traced graph divides by 2.83 where the model divides
    by 2 (any head size that is not a perfect square, e.g. ImageGPT-medium's 128). The head size is fixed, so the
    number traced as a constant is exact; with transformers 5 (which returns a float) nothing changes.
    """

    def eager_torch_float(x: Any) -> Any:
        return torch_float(x.item() if hasattr(x, "item") else x)

    return eager_torch_float


class ImageGPTOnnxConfig(OnnxConfig):
    """``input_ids``: the pixels' color-cluster ids, which ``ImageGPTImageProcessor`` makes from images."""

    def __init__(
        self, config: PretrainedConfig, task: str = "default", patching_specs: list[PatchingSpec] | None = None
    ) -> None:
        specs = list(patching_specs or [])
        try:
            from transformers.models.imagegpt import modeling_imagegpt  # lazily: it imports torch
        except ImportError:  # no torch: nothing is traced
            pass
        else:
            scale = PatchingSpec(modeling_imagegpt, "torch_float", _as_in_eager_mode(modeling_imagegpt.torch_float))
            specs.append(scale)
        super().__init__(config, task=task, patching_specs=specs)

    @property
    def inputs(self) -> Mapping[str, Mapping[int, str]]:
        return OrderedDict({"input_ids": {0: "batch", 1: "sequence"}})

    @property
    def values_override(self) -> Mapping[str, Any] | None:
        """``use_cache`` on: ImageGPT's forward in transformers 4.x fails without a cache (its past length is None,
        ``'int' + 'NoneType'``). The graph still returns only the task's outputs."""
        return {"use_cache": True}

    def generate_dummy_inputs(  # type: ignore[override]
        self,
        preprocessor: Any,
        batch_size: int = -1,
        seq_length: int = -1,
        is_pair: bool = False,
        framework: Any = None,
        num_channels: int = 3,
        image_width: int = 32,
        image_height: int = 32,
    ) -> Mapping[str, Any]:
        """Random images through the image processor, as transformers.onnx's ImageGPT config made them: the base's
        image path refuses a processor whose first model input is ``input_ids`` (transformers 5 names it so);
        without a preprocessor, ids from the config."""
        if preprocessor is None:
            return super().generate_dummy_inputs(
                None, batch_size=batch_size, seq_length=seq_length, framework=framework
            )
        batch = batch_size if batch_size > 0 else self.default_batch_size
        images = self._generate_dummy_images(batch, num_channels, image_height, image_width)
        return dict(preprocessor(images=images, return_tensors=getattr(framework, "value", framework)))

    def generate_validation_inputs(self, preprocessor: Any, framework: Any = None) -> Mapping[str, Any]:
        """The images' leading pixels (a partial image, which ImageGPT reads as well as a whole one): the image
        processor fixes the sequence length, and validation must run another length than the export's."""
        inputs = dict(super().generate_validation_inputs(preprocessor, framework=framework))
        input_ids = inputs["input_ids"]
        inputs["input_ids"] = input_ids[:, : max(2, input_ids.shape[1] - 3)]
        return inputs
