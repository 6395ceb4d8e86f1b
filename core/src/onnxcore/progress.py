"""Stages of a long run (load, export, validate, write) shown on stderr.

On a terminal the running stage has a live timer and each finished stage keeps its duration; anywhere else
(a log file, a pipe, CI) each stage is one plain line, so logs stay readable.
"""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import TextIO

_TICK = 0.2


class StageDisplay:
    """Callable progress reporter: ``display(message)`` starts a stage and ends the previous one."""

    def __init__(self, stream: TextIO, quiet: bool = False, live: bool | None = None) -> None:
        self.stream = stream
        self.quiet = quiet
        self.live = stream.isatty() if live is None else live
        self._stage: tuple[str, float] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        if not self.live:
            print(f"{message}...", file=self.stream, flush=True)
            return
        with self._lock:
            self._end("✓")
            self._stage = (message, time.monotonic())
            self._draw()
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick, daemon=True)
            self._ticker.start()

    def __enter__(self) -> StageDisplay:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """End the last stage: done, or failed when the run raised."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        with self._lock:
            self._end("✗" if exc_type else "✓")

    def _tick(self) -> None:
        while not self._stop.wait(_TICK):
            with self._lock:
                self._draw()

    def _draw(self) -> None:
        if self._stage is not None:
            message, start = self._stage
            self.stream.write(f"\r\033[K… {message} ({time.monotonic() - start:.1f} s)")
            self.stream.flush()

    def _end(self, mark: str) -> None:
        if self._stage is not None:
            message, start = self._stage
            self.stream.write(f"\r\033[K{mark} {message} ({time.monotonic() - start:.1f} s)\n")
            self.stream.flush()
            self._stage = None
