"""Benchmark onnxcore against Optimum and transformers.onnx: one command, from scratch.

    python3 benchmarks/run.py            # everything: venvs, checkpoints, runs, latency, scale, report
    python3 benchmarks/run.py --report   # only rewrite docs/benchmarks.md and the plots from results.json

Each tool gets its own virtual environment under ``benchmarks/.venvs`` (made here, pinned to the same torch,
transformers, onnx and onnxruntime), and is run through its own CLI as a user would, on the same checkpoints
(``benchmarks/checkpoints.py``) in the same run. For every run: wall time and peak RSS of the process (from
``wait4``), the bytes of the ONNX files written, and the exit status; figures are medians over ``--repeats``.
Raw figures go to ``benchmarks/results.json``; ``report.py`` turns them into ``docs/benchmarks.md`` and PNGs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENVS = HERE / ".venvs"
WORK = HERE / ".work"
RESULTS = HERE / "results.json"
PLUGINS = ("bert", "gpt2", "t5", "vit", "whisper")
# the same versions of what all three run on; constraints.txt pins them for onnxcore
SHARED = ("torch==2.13.0", "transformers==4.57.6", "onnx==1.23.2", "onnxruntime==1.32.0")
ENVIRONMENTS = {
    "onnxcore": [
        "-c",
        str(ROOT / "constraints.txt"),
        f"{ROOT / 'core'}[torch]",
        *(str(ROOT / "plugins" / name) for name in PLUGINS),
        "matplotlib",  # for the report only; onnxcore never imports it
    ],
    "optimum": [*SHARED, "optimum-onnx==0.1.0"],
    # torch 2.13's torch.onnx.export defaults to dynamo=True, which transformers.onnx does not turn off, and
    # that exporter needs onnxscript: without it every transformers.onnx export fails at once
    "transformers.onnx": [*SHARED, "onnxscript==0.7.2", "pillow"],
}


@dataclasses.dataclass(frozen=True)
class Workload:
    """One checkpoint exported the way each tool's users would: the same task, each tool's spelling."""

    checkpoint: str
    onnxcore: tuple[str, ...]
    optimum: tuple[str, ...]
    transformers_onnx: tuple[str, ...]
    auto_class: str  # what the floor loads: the model class the export needs

    def arguments(self, tool: str) -> tuple[str, ...]:
        return {"onnxcore": self.onnxcore, "optimum": self.optimum, "transformers.onnx": self.transformers_onnx}[tool]


WORKLOADS = {
    "bert": Workload(
        "bert-base-uncased",
        ("--feature", "default"),
        ("--task", "feature-extraction"),
        ("--feature", "default"),
        "AutoModel",
    ),
    "gpt2": Workload(
        "gpt2",
        ("--feature", "causal-lm-with-past"),
        ("--task", "text-generation-with-past"),
        ("--feature", "causal-lm-with-past"),
        "AutoModelForCausalLM",
    ),
    "t5": Workload(
        "t5-small",
        ("--feature", "seq2seq-lm-with-past", "--layout", "split"),
        ("--task", "text2text-generation-with-past"),
        ("--feature", "seq2seq-lm-with-past"),
        "AutoModelForSeq2SeqLM",
    ),
    "vit": Workload(
        "vit-base-patch16-224",
        ("--feature", "image-classification"),
        ("--task", "image-classification"),
        ("--feature", "image-classification"),
        "AutoModelForImageClassification",
    ),
    "whisper": Workload(
        "whisper-tiny",
        ("--feature", "speech2seq-lm-with-past", "--layout", "split"),
        ("--task", "automatic-speech-recognition-with-past"),
        ("--feature", "speech2seq-lm-with-past"),
        "AutoModelForSpeechSeq2Seq",
    ),
}
# the BERT tasks all three know, onnxcore's name -> Optimum's
BERT_TASKS = {
    "default": "feature-extraction",
    "masked-lm": "fill-mask",
    "sequence-classification": "text-classification",
    "multiple-choice": "multiple-choice",
    "token-classification": "token-classification",
    "question-answering": "question-answering",
}
SCALE_SIZES = ("10m", "124m", "355m", "774m", "1558m")
# the largest checkpoints of the families, in their real shapes (checkpoints.BIG_BUILDERS): each tool's task
BIG_WORKLOADS = {
    "gpt2-xl": (("--feature", "causal-lm-with-past"), ("--task", "text-generation-with-past")),
    "whisper-large-v3": (
        ("--feature", "speech2seq-lm-with-past", "--layout", "split"),
        ("--task", "automatic-speech-recognition-with-past"),
    ),
    "flan-t5-xl": (
        ("--feature", "seq2seq-lm-with-past", "--layout", "split"),
        ("--task", "text2text-generation-with-past"),
    ),
}
BIG_TIMEOUT = 1800  # seconds; a run past it is recorded as timed out
# the deployed variants, side by side: each tool's own flags for them (Optimum quantizes an export it wrote)
VARIANT_WORKLOADS = ("bert", "gpt2", "whisper")
ONNXCORE_VARIANTS = {
    "quantize": ("--quantize", "fp16,q8,q4"),
    "o2": ("--optimize", "O2", "--quantize", "q8"),
    "fp16": ("--dtype", "fp16"),
}
OPTIMUM_VARIANTS = {"o2": ("--optimize", "O2"), "fp16": ("--dtype", "fp16")}
OPTIMUM_QUANTIZE = ("--avx512_vnni",)  # this CPU has AVX-512 VNNI; the fastest of Optimum's dynamic int8 configs
# label, tool, folder (plain: the workload's export), file suffix; every row but fp32 is compared to its tool's fp32
VARIANT_ROWS = (
    ("fp32", "onnxcore", "plain", ""),
    ("O2", "onnxcore", "o2", ""),
    ("fp16", "onnxcore", "quantize", "_fp16"),
    ("dtype fp16", "onnxcore", "fp16", ""),
    ("q8", "onnxcore", "quantize", "_quantized"),
    ("O2 + q8", "onnxcore", "o2", "_quantized"),
    ("q4", "onnxcore", "quantize", "_q4"),
    ("fp32", "optimum", "plain", ""),
    ("O2", "optimum", "o2", ""),
    ("dtype fp16", "optimum", "fp16", ""),
    ("q8", "optimum", "quantize", "_quantized"),
    ("O2 + q8", "optimum", "o2-quantize", "_quantized"),
)


def python(tool: str) -> Path:
    return VENVS / tool / "bin" / "python"


def make_environments() -> dict[str, str]:
    """Create the missing virtual environments; returns each tool's installed versions."""
    versions = {}
    for tool, requirements in ENVIRONMENTS.items():
        venv = VENVS / tool
        if not python(tool).exists():
            print(f"creating {venv}", flush=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            # pip takes the local CPU wheel for torch==2.13.0; it is pinned first so nothing pulls another torch
            subprocess.run([python(tool), "-m", "pip", "install", "-q", "torch==2.13.0"], check=True)
            subprocess.run([python(tool), "-m", "pip", "install", "-q", *requirements], check=True)
        if tool == "onnxcore":  # measure this checkout, not the one the environment was made from
            sources = [str(ROOT / "core"), *(str(ROOT / "plugins" / name) for name in PLUGINS)]
            subprocess.run(
                [python(tool), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", *sources], check=True
            )
        listed = subprocess.run(
            [python(tool), "-m", "pip", "list", "--format", "json"], check=True, capture_output=True, text=True
        )
        wanted = {"torch", "transformers", "onnx", "onnxruntime", "optimum", "optimum-onnx", "onnxcore"}
        versions[tool] = {item["name"]: item["version"] for item in json.loads(listed.stdout) if item["name"] in wanted}
    return versions


def build_checkpoints(names: list[str]) -> None:
    command = [python("onnxcore"), str(HERE / "checkpoints.py"), str(WORK / "checkpoints"), *names]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


def environment() -> dict[str, str]:
    """The same offline environment for every tool."""
    return os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PYTHONWARNINGS": "ignore"}


def command(tool: str, checkpoint: Path, arguments: tuple[str, ...], output: Path) -> list[str]:
    """The tool's own CLI, as its documentation shows it."""
    if tool == "onnxcore":
        return [str(VENVS / tool / "bin" / "onnxcore"), "export", "-q", "-m", str(checkpoint), *arguments, str(output)]
    if tool == "optimum-quantize":  # ``checkpoint`` is the folder of ONNX files it quantizes
        optimum_cli = str(VENVS / "optimum" / "bin" / "optimum-cli")
        return [optimum_cli, "onnxruntime", "quantize", "--onnx_model", str(checkpoint), *arguments, "-o", str(output)]
    if tool == "optimum":
        return [
            str(VENVS / tool / "bin" / "optimum-cli"),
            "export",
            "onnx",
            "-m",
            str(checkpoint),
            *arguments,
            str(output),
        ]
    return [
        str(python(tool)),
        "-m",
        "transformers.onnx",
        "-m",
        str(checkpoint),
        "--framework",
        "pt",
        *arguments,
        str(output),
    ]


def measure(argv: list[str], log: Path, timeout: float | None = None) -> dict[str, object]:
    """Run ``argv``; wall seconds, peak RSS bytes (the largest process of the run), exit status, last error line.
    Past ``timeout`` seconds the run is killed and recorded as timed out; a kill by the out-of-memory killer shows
    as exit -9."""
    log.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with open(log, "w") as handle:
        process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=environment())
        timer = threading.Timer(timeout, process.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(process.pid, 0)
        if timer:
            timer.cancel()
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    error = next((line for line in reversed(lines) if "Error" in line or "error" in line), lines[-1] if lines else "")
    if code == -9:
        error = f"timed out after {timeout:.0f} s" if timeout and wall >= timeout else "killed (out of memory)"
    return {"wall": wall, "rss": usage.ru_maxrss * 1024, "code": code, "error": "" if code == 0 else error[-300:]}


def onnx_bytes(folder: Path) -> int:
    """Bytes of the ONNX files and their external data in ``folder``."""
    if not folder.is_dir():
        return 0
    return sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.suffix in (".onnx", ".data") or "onnx_data" in path.name
    )


def onnx_files(folder: Path) -> dict[str, int]:
    """The ONNX files and external data in ``folder`` (in ``onnx/`` too), with their bytes."""
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.suffix in (".onnx", ".data") or "onnx_data" in path.name
    }


def cached(key: str, compute: Callable[[], Any]) -> Any:
    """``compute()``, stored under ``.work/steps`` so that an interrupted benchmark resumes where it stopped."""
    step = WORK / "steps" / f"{key}.json"
    if step.is_file():
        return json.loads(step.read_text())
    value = compute()
    step.parent.mkdir(parents=True, exist_ok=True)
    step.write_text(json.dumps(value, indent=2) + "\n")
    return value


def run_tool(tool: str, name: str, checkpoint: Path, arguments: tuple[str, ...], repeats: int) -> dict[str, object]:
    """``repeats`` runs into fresh folders (a failure is not repeated); the last run's export is kept for the
    latency runs."""
    return cached(f"export-{tool}-{name}", lambda: _run_tool(tool, name, checkpoint, arguments, repeats))


def _run_tool(
    tool: str, name: str, checkpoint: Path, arguments: tuple[str, ...], repeats: int, timeout: float | None = None
) -> dict[str, object]:
    runs = []
    output = WORK / "exports" / tool / name
    for attempt in range(repeats):
        shutil.rmtree(output, ignore_errors=True)
        output.parent.mkdir(parents=True, exist_ok=True)
        log = WORK / "logs" / f"{tool}-{name}-{attempt}.log"
        run = measure(command(tool, checkpoint, arguments, output), log, timeout)
        run["bytes"] = onnx_bytes(output)
        run["files"] = onnx_files(output)
        runs.append(run)
        print(
            f"  {tool:18} {name:22} run {attempt + 1}: {run['wall']:7.1f} s {run['rss'] / 2**30:6.2f} GiB"
            f" exit {run['code']} {run['error'][:90]}",
            flush=True,
        )
        if run["code"] != 0:
            break  # a failure is deterministic; do not repeat it
    return summarize(runs) | {"output": str(output)}


def summarize(runs: list[dict[str, object]]) -> dict[str, object]:
    ok = [run for run in runs if run["code"] == 0]
    if not ok:
        return {"ok": False, "error": runs[-1]["error"], "runs": runs}
    return {
        "ok": True,
        "wall": statistics.median(run["wall"] for run in ok),
        "rss": statistics.median(run["rss"] for run in ok),
        "bytes": ok[-1].get("bytes", 0),
        "files": ok[-1].get("files", {}),
        "runs": runs,
    }


def run_floor(workload: Workload, repeats: int) -> dict[str, object]:
    """The import-and-load floor for ``workload`` (``floor.py``) in onnxcore's environment."""

    def compute() -> dict[str, object]:
        checkpoint = WORK / "checkpoints" / workload.checkpoint
        argv = [str(python("onnxcore")), str(HERE / "floor.py"), str(checkpoint), workload.auto_class]
        log = WORK / "logs" / f"floor-{workload.checkpoint}.log"
        return summarize([measure(argv, log) for _ in range(repeats)])

    return cached(f"floor-{workload.checkpoint}", compute)


def run_multi_feature(checkpoint: Path, repeats: int) -> dict[str, object]:
    """All common BERT tasks: onnxcore in one command; the peers one command per task (their CLI takes one)."""
    results: dict[str, object] = {}
    features = ",".join(BERT_TASKS)
    results["onnxcore"] = run_tool("onnxcore", "bert-all", checkpoint, ("--feature", features), repeats)
    for tool, spelled in (("optimum", BERT_TASKS.values()), ("transformers.onnx", BERT_TASKS)):
        flag = "--task" if tool == "optimum" else "--feature"
        parts = [run_tool(tool, f"bert-{task}", checkpoint, (flag, task), repeats) for task in spelled]
        if all(part["ok"] for part in parts):
            results[tool] = {
                "ok": True,
                "wall": sum(part["wall"] for part in parts),
                "rss": max(part["rss"] for part in parts),
                "bytes": sum(part["bytes"] for part in parts),
                "parts": parts,
            }
        else:
            failed = [task for task, part in zip(spelled, parts) if not part["ok"]]
            results[tool] = {"ok": False, "error": f"failed: {', '.join(failed)}", "parts": parts}
    return results


def run_latency(workload: str, checkpoint: Path, exports: dict[str, object]) -> dict[str, object]:
    return cached(f"latency-{workload}", lambda: _run_latency(workload, checkpoint, exports))


def _run_latency(workload: str, checkpoint: Path, exports: dict[str, object]) -> dict[str, object]:
    folders = [f"{tool}={result['output']}" for tool, result in exports.items() if result["ok"]]
    out = WORK / "latency" / f"{workload}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [str(python("onnxcore")), str(HERE / "latency.py"), workload, str(checkpoint), str(out), *folders]
    subprocess.run(argv, check=True, env=environment())
    return json.loads(out.read_text())


def run_variants(name: str, repeats: int) -> dict[str, object]:
    """Each tool's variants of one workload (see VARIANT_ROWS), one export each, then their latency, bytes and
    accuracy against the tool's plain fp32 export (``variants.py``)."""
    workload = WORKLOADS[name]
    checkpoint = WORK / "checkpoints" / workload.checkpoint
    exports: dict[str, dict[str, Any]] = {"onnxcore": {}, "optimum": {}}
    for tool in exports:
        exports[tool]["plain"] = run_tool(tool, name, checkpoint, workload.arguments(tool), repeats)
    for key, flags in ONNXCORE_VARIANTS.items():
        exports["onnxcore"][key] = run_tool("onnxcore", f"{name}-{key}", checkpoint, (*workload.onnxcore, *flags), 1)
    for key, flags in OPTIMUM_VARIANTS.items():
        exports["optimum"][key] = run_tool("optimum", f"{name}-{key}", checkpoint, (*workload.optimum, *flags), 1)
    for key, source in (("quantize", "plain"), ("o2-quantize", "o2")):
        folder = Path(exports["optimum"][source]["output"])
        exports["optimum"][key] = run_tool("optimum-quantize", f"{name}-{key}", folder, OPTIMUM_QUANTIZE, 1)
    rows = [
        {
            "label": label,
            "tool": tool,
            "folder": exports[tool][key]["output"],
            "suffix": suffix,
            "reference": exports[tool]["plain"]["output"] if label != "fp32" else None,
        }
        for label, tool, key, suffix in VARIANT_ROWS
        if exports[tool][key]["ok"]
    ]
    spec = WORK / "variants" / f"{name}-rows.json"
    spec.parent.mkdir(parents=True, exist_ok=True)
    spec.write_text(json.dumps(rows, indent=2) + "\n")

    def measure_rows() -> dict[str, object]:
        out = WORK / "variants" / f"{name}.json"
        argv = [str(python("onnxcore")), str(HERE / "variants.py"), name, str(checkpoint), str(spec), str(out)]
        subprocess.run(argv, check=True, env=environment())
        measured = json.loads(out.read_text())
        for row, figures in zip(rows, measured["rows"]):
            figures["tool"] = row["tool"]
        return measured

    failed = {
        f"{tool} {key}": result["error"]
        for tool in exports
        for key, result in exports[tool].items()
        if not result["ok"]
    }
    return cached(f"variants-{name}", measure_rows) | {"failed": failed}


def run_scale(repeats: int) -> list[dict[str, object]]:
    """GPT-2-shaped models from about 10M parameters to 1558M (6.2 GB of fp32 weights): onnxcore and Optimum,
    one export each per size (the largest take minutes)."""
    build_checkpoints([f"gpt2-scale-{size}" for size in SCALE_SIZES])
    points = []
    for size in SCALE_SIZES:
        checkpoint = WORK / "checkpoints" / f"gpt2-scale-{size}"
        weights = sum(path.stat().st_size for path in checkpoint.glob("*.safetensors"))
        point: dict[str, object] = {"size": size, "weight_bytes": weights}
        for tool, arguments in (("onnxcore", ("--feature", "causal-lm")), ("optimum", ("--task", "text-generation"))):
            point[tool] = cached(
                f"scale-{tool}-{size}", partial(_scale_point, tool, size, checkpoint, arguments, repeats)
            )
        points.append(point)
    return points


def _scale_point(tool: str, size: str, checkpoint: Path, arguments: tuple[str, ...], repeats: int) -> dict[str, Any]:
    return _measured_once(tool, f"scale-{size}", checkpoint, arguments, repeats)


def _measured_once(
    tool: str, name: str, checkpoint: Path, arguments: tuple[str, ...], repeats: int, timeout: float | None = None
) -> dict[str, Any]:
    """A run whose export is deleted once measured (gigabytes; the figures are kept)."""
    result = _run_tool(tool, name, checkpoint, arguments, repeats, timeout)
    output = Path(result["output"])
    result["files"] = sorted(
        str(path.relative_to(output))
        for path in output.rglob("*")
        if path.suffix in (".onnx", ".data") or "onnx_data" in path.name
    )
    shutil.rmtree(output, ignore_errors=True)
    return result


def run_big() -> dict[str, dict[str, Any]]:
    """The largest checkpoint of each family (``BIG_WORKLOADS``), onnxcore then Optimum, once each; a checkpoint's
    exports are deleted before the next is measured."""
    build_checkpoints(list(BIG_WORKLOADS))
    points = {}
    for name, (onnxcore_arguments, optimum_arguments) in BIG_WORKLOADS.items():
        checkpoint = WORK / "checkpoints" / name
        point: dict[str, Any] = {"weight_bytes": sum(path.stat().st_size for path in checkpoint.glob("*.safetensors"))}
        for tool, arguments in (("onnxcore", onnxcore_arguments), ("optimum", optimum_arguments)):
            point[tool] = cached(
                f"big-{tool}-{name}",
                partial(_measured_once, tool, f"big-{name}", checkpoint, arguments, 1, BIG_TIMEOUT),
            )
        points[name] = point
    return points


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per export; medians are reported (default 3)")
    parser.add_argument("--report", action="store_true", help="only rewrite the report from results.json")
    parser.add_argument(
        "--skip-scale", action="store_true", help="leave out the scale curve and the largest checkpoints (minutes each)"
    )
    parser.add_argument(
        "--big-only",
        action="store_true",
        help="measure only the scale curve and the largest checkpoints (gpt2-xl, whisper-large-v3, flan-t5-xl)",
    )
    parser.add_argument(
        "--variants-only",
        action="store_true",
        help="measure only the variants (fp16, q8, q4, O2 of bert, gpt2, whisper), keeping the rest of results.json",
    )
    parser.add_argument(
        "--workloads",
        help="comma-separated workloads to measure again (default: all), keeping the others' figures in results.json",
    )
    args = parser.parse_args()
    names = args.workloads.split(",") if args.workloads else list(WORKLOADS)
    unknown = sorted(set(names) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    if args.big_only:
        make_environments()
        results = json.loads(RESULTS.read_text())
        print("scale: GPT-2 shapes", flush=True)
        results["scale"] = run_scale(1)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print("big: the largest checkpoints", flush=True)
        results["big"] = run_big()
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    elif args.variants_only:
        make_environments()
        build_checkpoints([WORKLOADS[name].checkpoint for name in VARIANT_WORKLOADS])
        results = json.loads(RESULTS.read_text())
        results["variants"] = {name: run_variants(name, args.repeats) for name in VARIANT_WORKLOADS}
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    elif not args.report:
        versions = make_environments()
        build_checkpoints([WORKLOADS[name].checkpoint for name in names])
        kept = json.loads(RESULTS.read_text()) if args.workloads and RESULTS.is_file() else {}
        results: dict[str, object] = {
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
            "versions": versions,
            "repeats": args.repeats,
            "workloads": dict(kept.get("workloads", {})),
        }
        results |= {key: kept[key] for key in ("multi_feature", "scale", "variants", "big") if key in kept}
        for name in names:
            workload = WORKLOADS[name]
            checkpoint = WORK / "checkpoints" / workload.checkpoint
            print(f"{name}: {checkpoint}", flush=True)
            exports = {
                tool: run_tool(tool, name, checkpoint, workload.arguments(tool), args.repeats) for tool in ENVIRONMENTS
            }
            latency = run_latency(name, checkpoint, exports)
            floor = run_floor(workload, args.repeats)
            results["workloads"][name] = {
                "checkpoint": workload.checkpoint,
                "exports": exports,
                "latency": latency,
                "floor": floor,
            }
        if "bert" in names:
            print("multi-feature: bert-base-uncased", flush=True)
            results["multi_feature"] = run_multi_feature(WORK / "checkpoints" / "bert-base-uncased", args.repeats)
        variants = [name for name in names if name in VARIANT_WORKLOADS]
        if variants:
            print(f"variants: {', '.join(variants)}", flush=True)
            results["variants"] = dict(results.get("variants", {})) | {
                name: run_variants(name, args.repeats) for name in variants
            }
        if not args.skip_scale:
            print("scale: GPT-2 shapes", flush=True)
            results["scale"] = run_scale(1)
            print("big: the largest checkpoints", flush=True)
            results["big"] = run_big()
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    subprocess.run([python("onnxcore"), str(HERE / "report.py"), str(RESULTS), str(ROOT / "docs")], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
