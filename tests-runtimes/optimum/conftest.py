"""Optimum suite (tox env ``optimum``): onnxcore's ``--runtime optimum`` exports of the tiny examples (and of the
checkpoints of other shapes), loaded as-is by optimum-onnx's ``ORTModelFor*`` classes and compared with PyTorch.

The exports (``exported``) and the PyTorch side are shared with the transformers.js suite (../conftest.py,
../reference.py); here are the runtime's name and the fixtures only this suite uses.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pytest


@pytest.fixture(scope="session")
def runtime() -> str:
    """What ``exported`` passes to ``--runtime``."""
    return "optimum"


@pytest.fixture(scope="session")
def waveforms(waveform: np.ndarray) -> list[np.ndarray]:
    """A batch of two sounds: ``waveform``, and 0.6 s of a 220 Hz sine plus other seeded noise (the processor pads
    it to 1 s with silence)."""
    t = np.arange(9600) / 16000
    noise = np.random.default_rng(1).normal(0, 0.1, t.shape)
    return [waveform, np.clip(0.5 * np.sin(2 * np.pi * 220 * t) + noise, -1, 1).astype(np.float32)]


@dataclass
class Messages:
    """Logging records and Python warnings seen while capturing."""

    records: list[logging.LogRecord]
    warnings: list[warnings.WarningMessage]

    def containing(self, word: str) -> list[str]:
        texts = [record.getMessage() for record in self.records] + [str(w.message) for w in self.warnings]
        return [text for text in texts if word.lower() in text.lower()]


class _Collect(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.DEBUG)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def messages() -> Iterator[Messages]:
    """Everything Optimum and transformers say during a test: the records of the ``optimum`` and ``transformers``
    loggers, attached directly (both libraries stop propagation to the root logger, so ``caplog`` misses them),
    and ``warnings.warn`` calls."""
    seen = Messages([], [])
    handler = _Collect(seen.records)
    loggers = [logging.getLogger(name) for name in ("optimum", "transformers")]
    for logger in loggers:
        logger.addHandler(handler)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        seen.warnings = caught
        yield seen
    for logger in loggers:
        logger.removeHandler(handler)
