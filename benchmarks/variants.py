"""ONNX Runtime latency, bytes and accuracy of each tool's deployed variants of one workload (fp16, q8, q4, O2).

python benchmarks/variants.py WORKLOAD CHECKPOINT SPEC.json OUT.json

SPEC.json lists rows: {"label", "folder", "suffix", "reference"}. A row's files are the workload's parts
(``latency.PARTS``) with ``suffix`` before ``.onnx`` (transformers.js's names: ``model_quantized.onnx``,
``decoder_model_merged_q4.onnx``). Its accuracy is measured against the same part in ``reference`` (that tool's
plain fp32 export) on the same random inputs as the latency runs, batch 8, with onnxcore's own metrics (cosine,
max |diff| over the reference's max |value|, top-1 of logits), so both tools' variants are measured the same way.
"""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import Any

import onnxruntime
import transformers
from latency import BATCHES, PARTS, RUNS, SIZES, THREADS, feeds, timed

from onnxcore.validate import session_feed
from onnxcore.variant_checks import output_metrics


def part_file(folder: Path, names: tuple[str, ...], suffix: str) -> Path | None:
    """The first of ``names`` present in ``folder`` with ``suffix`` before ``.onnx``."""
    for name in names:
        path = folder / name.replace(".onnx", f"{suffix}.onnx")
        if path.is_file():
            return path
    return None


def file_bytes(path: Path) -> int:
    """The file and the external data beside it that names it (``FILE.data``, ``FILE_data``)."""
    return sum(item.stat().st_size for item in path.parent.glob(f"{path.name}*") if item.is_file())


def session(path: Path) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def latency(path: Path, config: Any, sizes: dict[str, int]) -> dict[str, float]:
    """Median milliseconds per batch size, the inputs at the types the file declares (fp16 for --dtype fp16)."""
    timed_session = session(path)
    return {
        str(batch): timed(
            partial(timed_session.run, None, session_feed(timed_session, feeds(timed_session, config, sizes, batch))),
            RUNS[batch],
        )
        for batch in BATCHES
    }


def accuracy(path: Path, reference: Path, config: Any, sizes: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Each output's metrics against ``reference``'s, on the same batch-8 inputs."""
    variant, plain = session(path), session(reference)
    feed = feeds(variant, config, sizes, 8)
    names = [output.name for output in plain.get_outputs()]
    plain_feed = session_feed(plain, {item.name: feed[item.name] for item in plain.get_inputs()})
    wanted = dict(zip(names, plain.run(None, plain_feed)))
    have = dict(zip([output.name for output in variant.get_outputs()], variant.run(None, session_feed(variant, feed))))
    return {name: output_metrics(name, wanted[name], have[name]) for name in names if name in have}


def main() -> None:
    workload, checkpoint, spec, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    config = transformers.AutoConfig.from_pretrained(checkpoint)
    sizes = SIZES[workload]
    rows = json.loads(spec.read_text())
    results: dict[str, Any] = {"sizes": sizes, "rows": []}
    for row in rows:
        figures: dict[str, Any] = {"label": row["label"], "parts": {}}
        for part, names in PARTS[workload].items():
            path = part_file(Path(row["folder"]), names, row["suffix"])
            if path is None:
                figures["parts"][part] = {"missing": True}
                continue
            entry: dict[str, Any] = {"file": path.name, "bytes": file_bytes(path)}
            entry["latency"] = latency(path, config, sizes)
            if row.get("reference"):
                reference = part_file(Path(row["reference"]), names, "")
                if reference is not None:
                    entry["metrics"] = accuracy(path, reference, config, sizes)
            print(f"  variants {workload} {row['label']} {part} ({path.name}): {entry['latency']}", flush=True)
            figures["parts"][part] = entry
        results["rows"].append(figures)
    out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
