"""The conformance suite every onnxcore plugin runs: subclass it, name a tiny config, get the tests.

Example (``tests/test_bert_conformance.py`` of a plugin; a name unique across plugins lets one pytest run
collect several plugins)::

    from onnxcore.testing.conformance import ConformanceSuite

    class TestBertConformance(ConformanceSuite):
        model_type = "bert"
        distribution = "onnxcore-bert"

        def tiny_config(self):
            return BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4)

For every feature the plugin registers, every exporter and every layout that applies to it (encoder-decoder
configs of generation features are also exported ``--layout split``; their classification heads are not), the
suite builds a checkpoint with random weights, runs the same pipeline as ``onnxcore export`` and checks every
written graph against its contract, and that validation ran every declared dynamic axis at another size than the
export (a graph that runs only at its export shapes fails). Where TensorFlow is installed
(``onnxcore[tf]``), each feature is also exported from TF weights with tf2onnx, or must be refused when
transformers has no TF class for it. Exports that can generate
(``causal-lm-with-past``; split ``seq2seq-lm``, ``speech2seq-lm`` and ``vision2seq-lm``) must also pass the greedy
generation check against ``generate()``.
A suite test may only be overridden with ``@pytest.mark.xfail(reason=...)``; anything else fails
``test_no_silent_overrides``.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ..config import OnnxSeq2SeqConfigWithPast
from ..errors import FrameworkError
from ..exporters import EXPORTERS, TF_EXPORTER
from ..loading import check_framework_class, model_class_for, model_from_config, require_framework
from ..model_inputs import flatten_named, model_argument_names
from ..pipeline import ExportRequest, run_export
from ..plugins import get_host, get_registry
from ..seq2seq import applicable_layouts, checked_configs, layout_configs
from ..utils import get_preprocessor
from . import matrix
from .checkpoints import save_random_model
from .exports import export_once


def _case_id(case: Any) -> str:
    return case.id if hasattr(case, "id") else "-".join(case)


class ConformanceSuite:
    """Base class of a plugin's conformance tests (pytest collects subclasses named ``Test*``)."""

    #: ``PretrainedConfig.model_type`` under test.
    model_type: ClassVar[str]
    #: The distribution expected to register it, e.g. ``"onnxcore-bert"``.
    distribution: ClassVar[str]
    #: Exporters to run every feature through.
    exporters: ClassVar[tuple[str, ...]] = EXPORTERS
    #: Features whose TensorFlow export is known to fail, with the reason: they must still fail (an xfail that
    #: starts passing is an error, so the entry gets removed), and the reason is shown in the report.
    tensorflow_xfail: ClassVar[dict[str, str]] = {}
    #: (feature, exporter) cases of a torch exporter known to fail for a reason outside onnxcore (a tracer that
    #: cannot follow the model), with the reason: strict xfails, like ``tensorflow_xfail``.
    export_xfail: ClassVar[dict[tuple[str, str], str]] = {}

    def tiny_config(self) -> Any:
        """A small ``PretrainedConfig`` of the model type (a few layers, hidden size ~32)."""
        raise NotImplementedError("name a tiny config: override tiny_config()")

    def save_preprocessor(self, directory: Path) -> None:
        """Write the checkpoint's tokenizer/processor files; by default none (dummy inputs from the config)."""

    # -- machinery -------------------------------------------------------------------------------------
    def features(self) -> list[str]:
        """Features registered for the model type."""
        return sorted(get_registry().registrations(self.model_type))

    def layouts(self, feature: str) -> tuple[str, ...]:
        """``single``, plus ``split`` for an encoder-decoder config of a generation feature (the pipeline refuses
        split for the others)."""
        entry = get_registry().resolve(self.model_type, feature)
        return applicable_layouts(entry.onnx_config_cls, entry.task)

    def cases(self) -> list[tuple[str, str]]:
        """Every (feature, layout) that applies."""
        return [(feature, layout) for feature in self.features() for layout in self.layouts(feature)]

    def graph_shape(self, feature: str, layout: str) -> str:
        """The graph shape of ``feature`` in ``layout`` (see :mod:`onnxcore.testing.matrix`)."""
        config = self.onnx_config(feature)
        seq2seq = isinstance(config, OnnxSeq2SeqConfigWithPast)
        return matrix.graph_shape(config.inputs, bool(getattr(config, "use_past", False)), seq2seq, layout)

    def _has_tiny_config(self) -> bool:
        """False in a plugin made by ``new-plugin`` whose ``tiny_config`` is not filled in yet."""
        try:
            self.tiny_config()
        except NotImplementedError:
            return False
        return True

    def _checks_tensorflow(self) -> bool:
        """Whether this run exports from TensorFlow: it is installed, and the suite has a tiny config."""
        try:
            require_framework("tf")
        except FrameworkError:
            return False
        return self._has_tiny_config()

    @staticmethod
    def _no_shape(feature: str, layout: str) -> str:
        """Without a tiny config no shape is known: every case is its own, so each test runs and says what to fill
        in, rather than the collection failing."""
        return f"{feature} {layout}"

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        """Parametrize ``feature``, ``exporter`` and ``layout`` from the registry, ``exporters`` and the test tier
        (:mod:`onnxcore.testing.matrix`: the default tier, or the full matrix)."""
        names = set(metafunc.fixturenames)
        shape_of = self.graph_shape if self._has_tiny_config() else self._no_shape
        if {"feature", "exporter", "layout"} <= names:
            cases = matrix.export_cases(self.cases(), self.exporters, shape_of, self.model_type)
            metafunc.parametrize(("feature", "exporter", "layout"), [self._export_case(case) for case in cases])
        elif {"feature", "layout"} <= names:
            exportable = self.has_tensorflow_class if self._checks_tensorflow() else lambda feature: True
            pairs: list[Any] = matrix.tensorflow_cases(self.cases(), shape_of, self.model_type, exportable)
            if not pairs:  # every shape of this type is exported from TF by another suite of this run
                others = ", ".join(matrix.claimed_elsewhere(self.model_type, matrix.TENSORFLOW))
                reason = f"default tier: {others} export(s) these graph shapes from TensorFlow in this run"
                pairs = [pytest.param(None, None, marks=pytest.mark.skip(reason=reason), id="shapes-covered")]
            metafunc.parametrize(("feature", "layout"), pairs, ids=[_case_id(pair) for pair in pairs])
        elif "feature" in names:
            metafunc.parametrize("feature", self.features())

    def _export_case(self, case: tuple[str, str, str]) -> Any:
        """``case`` as a pytest parameter, a strict xfail when ``export_xfail`` names its feature and exporter."""
        reason = self.export_xfail.get(case[:2])
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        return pytest.param(*case, marks=marks, id="-".join(case))

    @pytest.fixture(scope="class")
    @classmethod
    def checkpoints(cls, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
        """Built checkpoints by feature, shared by the tests of the class."""
        return {}

    def checkpoint(self, feature: str, checkpoints: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
        """A saved checkpoint for ``feature``: random weights (seed 0) of the feature's model class."""

        if feature not in checkpoints:
            directory = tmp_path_factory.mktemp(f"{self.model_type}-{feature}")
            model_class = model_class_for(feature, model_type=self.model_type)
            config = self.tiny_config()
            save_random_model(directory, lambda cfg: model_from_config(model_class, cfg), config)
            self.save_preprocessor(directory)
            checkpoints[feature] = directory
        return checkpoints[feature]

    def onnx_config(self, feature: str) -> Any:
        """The registered OnnxConfig for ``feature``, built on the tiny config."""
        return get_registry().resolve(self.model_type, feature).constructor()(self.tiny_config())

    # -- the suite -------------------------------------------------------------------------------------
    def test_registered_by_plugin(self) -> None:
        features = get_registry().registrations(self.model_type)
        assert features, f"no feature registered for {self.model_type!r}"
        names = {info.name: info.distribution for info in get_host().plugins}
        for feature, entries in features.items():
            assert [names[entry.plugin] for entry in entries] == [self.distribution], feature

    def test_config_contract(self, feature: str) -> None:
        config = self.onnx_config(feature)
        assert config.inputs and config.outputs
        for name, axes in {**config.inputs, **config.outputs}.items():
            assert axes.get(0) == "batch", f"{name}: axis 0 must be the dynamic 'batch' axis, got {dict(axes)}"
            assert all(isinstance(axis, int) and isinstance(label, str) for axis, label in axes.items()), name
        assert config.atol_for_validation > 0
        assert config.default_onnx_opset >= 7

    def test_dummy_inputs_match_forward(
        self, feature: str, checkpoints: dict[str, Path], tmp_path_factory: Any
    ) -> None:

        directory = self.checkpoint(feature, checkpoints, tmp_path_factory)
        config = self.onnx_config(feature)
        dummy = flatten_named(config, config.generate_dummy_inputs(get_preprocessor(str(directory)), framework="pt"))
        assert set(config.inputs) <= set(dummy), f"dummy inputs {sorted(dummy)} lack some of {list(config.inputs)}"
        model = model_from_config(model_class_for(feature, model_type=self.model_type), self.tiny_config())
        forward = inspect.signature(model.forward)
        arguments = model_argument_names(config, model)
        assert set(arguments) <= set(forward.parameters), f"{arguments} vs forward{forward}"

    def test_export_and_validate(
        self,
        feature: str,
        exporter: str,
        layout: str,
        checkpoints: dict[str, Path],
        tmp_path_factory: Any,
    ) -> None:
        directory = self.checkpoint(feature, checkpoints, tmp_path_factory)
        self.check_export(export_once(directory, feature, exporter, layout), feature, layout)

    def test_tensorflow_export(
        self, feature: str, layout: str, checkpoints: dict[str, Path], tmp_path_factory: Any, tmp_path: Path
    ) -> None:
        """From TF weights (the PyTorch checkpoint converted on load) with tf2onnx: the same contract, validated
        against the TF model. A feature transformers has no TF class for must be refused with the fix. Needs
        TensorFlow; without it the test is skipped and says how to install it."""

        try:
            require_framework("tf")
        except FrameworkError as exc:
            pytest.skip(f"the TensorFlow export is not checked here: {exc}")
        directory = self.checkpoint(feature, checkpoints, tmp_path_factory)
        output = tmp_path / "onnx"
        request = ExportRequest(model=str(directory), output=output, feature=feature, framework="tf", layout=layout)
        if not self.has_tensorflow_class(feature):
            with pytest.raises(FrameworkError, match="has no TensorFlow .*--framework pt"):  # the pipeline's message
                run_export(request)
            assert not output.exists()
            return
        reason = self.tensorflow_xfail.get(feature)
        if reason is None:
            result = export_once(directory, feature, layout=layout, framework="tf")
        else:
            try:
                result = run_export(request)
            except Exception:  # the documented failure still happens
                pytest.xfail(reason)
            pytest.fail(f"{feature} exports from TensorFlow now: remove it from tensorflow_xfail ({reason})")
        assert result.manifest["framework"] == "tf" and result.exporter == TF_EXPORTER
        self.check_export(result, feature, layout)

    # -- checks shared by the export tests ----------------------------------------------------------------
    def has_tensorflow_class(self, feature: str) -> bool:
        """Whether transformers has a TF model class for ``feature`` of this model type (the pipeline's check)."""

        try:
            check_framework_class(get_registry().resolve(self.model_type, feature), self.tiny_config(), "tf")
        except FrameworkError:
            return False
        return True

    def check_export(self, result: Any, feature: str, layout: str) -> None:
        """Every written graph against its contract (names, order, axes, opset), validation, the manifest, and
        the generation check for exports that can generate."""
        import onnx  # lazily: keeps `import onnxcore` light

        output = result.output
        config = self.onnx_config(feature)
        checked = checked_configs(layout, config)  # each file, each branch of a merged decoder
        assert list(result.validation) == list(checked)
        for name, traced in checked.items():
            report = result.validation[name]
            assert report.ok and [check.name for check in report.checks] == list(traced.outputs), name
            self.check_dynamic_axes_varied(traced, report, get_preprocessor(str(output)), name)
        contracts = layout_configs(layout, config)
        assert sorted(path.name for path in output.glob("*.onnx")) == sorted(contracts)
        for file_name, contract in contracts.items():
            model = onnx.load(str(output / file_name))
            assert [value.name for value in model.graph.input] == list(contract.inputs), file_name
            assert [value.name for value in model.graph.output] == list(contract.outputs), file_name
            assert {opset.domain: opset.version for opset in model.opset_import}.get("", None) == result.opset
            for values, declared in ((model.graph.input, contract.inputs), (model.graph.output, contract.outputs)):
                for value in values:
                    dims = value.type.tensor_type.shape.dim
                    for axis, label in declared[value.name].items():
                        assert dims[axis].dim_param == label, f"{file_name} {value.name} axis {axis}: {dims[axis]}"
        assert (output / "onnxcore.json").is_file() and (output / "config.json").is_file()
        generates = config.task in ("causal-lm", "seq2seq-lm", "speech2seq-lm", "vision2seq-lm")
        if generates and (layout == "split" or (config.task == "causal-lm" and getattr(config, "use_past", False))):
            assert result.generation is not None and result.generation.ok, "no generation check for an LM export"
            assert result.generation.conclusive, (
                "the generation check is inconclusive (no prompt got 2 new tokens); give tiny_config an eos_token_id"
                " the model does not emit at once\n" + result.generation.summary()
            )

    @staticmethod
    def check_dynamic_axes_varied(contract: Any, report: Any, preprocessor: Any, file_name: str) -> None:
        """Validation ran every declared dynamic input axis at another size than the export did, so a graph that
        runs only at its export shapes (a decoder length traced as a constant, say) fails here, not in a user's
        first decoding step."""
        exported = flatten_named(contract, contract.generate_dummy_inputs(preprocessor, framework="pt"))
        for name, axes in contract.inputs.items():
            for axis, label in axes.items():
                size = tuple(exported[name].shape)[axis]
                assert report.input_shapes[name][axis] != size, (
                    f"{file_name}: validation ran {name} axis {axis} ({label!r}) only at its export size {size};"
                    " make generate_validation_inputs vary it"
                )

    def test_no_silent_overrides(self) -> None:
        """Every suite test a subclass redefines must be an xfail that says why."""
        for name in dir(ConformanceSuite):
            if not name.startswith("test_"):
                continue
            own = getattr(type(self), name)
            if own is getattr(ConformanceSuite, name):
                continue
            marks = [mark for mark in getattr(own, "pytestmark", []) if mark.name == "xfail"]
            assert marks and marks[0].kwargs.get("reason"), (
                f"{type(self).__name__}.{name} overrides a conformance test; mark it"
                " @pytest.mark.xfail(reason=...) instead of replacing it"
            )
