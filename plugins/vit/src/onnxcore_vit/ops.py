"""Stand-ins for torch ops the TorchScript exporter cannot write, installed as ``PatchingSpec``s while exporting."""

from __future__ import annotations

from typing import Any

import numpy as np


def _averaging_matrix(size_out: int, size_in: int) -> np.ndarray:
    """Row ``i`` averages the input cells adaptive pooling gives output cell ``i`` (torch's start/end rule)."""
    matrix = np.zeros((size_out, size_in), dtype=np.float32)
    for i in range(size_out):
        start, end = i * size_in // size_out, -(-(i + 1) * size_in // size_out)
        matrix[i, start:end] = 1.0 / (end - start)
    return matrix


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:
    """``torch.nn.functional.adaptive_avg_pool2d`` as two matmuls with constant averaging matrices.

    The TorchScript exporter writes adaptive pooling only when the output size divides the input size, which
    the pyramid pooling of BEiT-style UPerNet heads (scales 1, 2, 3, 6) does not; the input size is static there.
    """
    height, width = (int(size) for size in input.shape[-2:])
    out_height, out_width = (output_size, output_size) if isinstance(output_size, int) else output_size
    rows = input.new_tensor(_averaging_matrix(out_height or height, height))
    columns = input.new_tensor(_averaging_matrix(out_width or width, width).T)
    return rows @ input @ columns


def symbolic_int(x: Any) -> Any:
    """transformers' ``torch_int`` (a Python int, or an int64 tensor under the TorchScript tracer) that leaves a
    ``torch.SymInt`` symbolic.

    Under ``torch.export`` (the dynamo exporter) ``int()`` turns the image size into the example's: BEiT-style
    relative position biases were then interpolated to the export size's table while the reshapes after it stayed
    dynamic, and the graph failed at any other size.
    """
    import torch  # lazily: called only while exporting

    if isinstance(x, torch.SymInt):
        return x
    return x.to(torch.int64) if torch.jit.is_tracing() and isinstance(x, torch.Tensor) else int(x)
