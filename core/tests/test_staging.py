"""The move into place: one export at a time per folder, whole."""

from __future__ import annotations

import threading
import time

from onnxcore.staging import StagedOutput, folder_locked


def test_a_second_export_waits_for_the_first_to_be_in_place(tmp_path) -> None:
    target = tmp_path / "out"
    staged = StagedOutput(target)
    with staged as staging:
        (staging / "model.onnx").write_text("second")
        with folder_locked(tmp_path):  # another export is moving its files into tmp_path/out
            mover = threading.Thread(target=staged.commit)
            mover.start()
            time.sleep(0.3)
            assert mover.is_alive() and not target.exists()
        mover.join(timeout=10)
    assert (target / "model.onnx").read_text() == "second"
    assert [path.name for path in tmp_path.iterdir()] == ["out"]


def test_a_signal_during_the_move_is_handled_after_it() -> None:
    import os
    import signal

    from onnxcore.staging import _signals_held

    events: list[str] = []
    previous = signal.signal(signal.SIGTERM, lambda *_: events.append("handled"))
    try:
        with _signals_held():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            events.append("moved")
        time.sleep(0.05)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert events == ["moved", "handled"]
