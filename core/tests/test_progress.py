"""The stage display: live on a terminal, plain lines elsewhere, nothing when quiet."""

from __future__ import annotations

import io

import pytest

from onnxcore.progress import StageDisplay


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_off_a_terminal() -> None:
    stream = io.StringIO()
    with StageDisplay(stream) as progress:
        progress("Loading")
        progress("Exporting")
    assert stream.getvalue() == "Loading...\nExporting...\n"


def test_terminal_shows_each_stage_with_its_duration_and_marks_a_failure() -> None:
    stream = Terminal()
    with pytest.raises(RuntimeError), StageDisplay(stream) as progress:
        progress("Loading")
        progress("Exporting")
        raise RuntimeError("boom")
    finished = [line.split("\x1b[K")[-1] for line in stream.getvalue().split("\n") if line]
    assert finished[0].startswith("✓ Loading (") and finished[1].startswith("✗ Exporting (")
    assert finished[0].endswith(" s)")


def test_quiet_prints_nothing() -> None:
    stream = Terminal()
    with StageDisplay(stream, quiet=True) as progress:
        progress("Loading")
    assert stream.getvalue() == ""
