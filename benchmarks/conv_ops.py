"""Op-level speed of cnnviz's convolutions against PyTorch (forward + backward, batch 100).

Each row times one conv (forward with cache, then dx, dweight, dbias from the cache) in cnnviz
and the same op in PyTorch (autograd on input, weight and bias), interleaved so that load from
other processes hits both alike; a row's ratio is PyTorch's time / cnnviz's (higher is better
for cnnviz) from the best of ``--repeats`` timings of each. Shapes are those of the lesson nets
(separable_net's depthwise and pointwise stages, simple_convnet's 5x5, ...).

    python benchmarks/conv_ops.py                 # NumPy's default BLAS threads
    python benchmarks/conv_ops.py --threads 1     # NumPy's BLAS and PyTorch on one thread
    python benchmarks/conv_ops.py --only depthwise
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import blas_threads, set_blas_threads  # noqa: E402
from cnnviz.nn import functional as F  # noqa: E402

# name, x shape, weight shape, keyword arguments (transposed: weight is (C_in, C_out/g, kh, kw))
CASES: list[tuple[str, tuple[int, ...], tuple[int, ...], dict[str, Any]]] = [
    ("conv 5x5 1->30", (100, 1, 28, 28), (30, 1, 5, 5), {}),
    ("conv 5x5 16->32 p2", (100, 16, 14, 14), (32, 16, 5, 5), {"padding": 2}),
    ("conv 3x3 1->16 p1", (100, 1, 28, 28), (16, 1, 3, 3), {"padding": 1}),
    ("conv 3x3 32->64 p1", (100, 32, 14, 14), (64, 32, 3, 3), {"padding": 1}),
    ("depthwise 3x3 16 @28", (100, 16, 28, 28), (16, 1, 3, 3), {"padding": 1, "groups": 16}),
    ("depthwise 3x3 32 @14", (100, 32, 14, 14), (32, 1, 3, 3), {"padding": 1, "groups": 32}),
    ("depthwise 3x3 64 @7", (100, 64, 7, 7), (64, 1, 3, 3), {"padding": 1, "groups": 64}),
    ("depthwise 3x3 32x2 @14", (100, 32, 14, 14), (64, 1, 3, 3), {"padding": 1, "groups": 32}),
    ("depthwise 3x3 s2 32 @14", (100, 32, 14, 14), (32, 1, 3, 3),
     {"padding": 1, "stride": 2, "groups": 32}),
    ("depthwise 5x5 d2 32 @14", (100, 32, 14, 14), (32, 1, 5, 5),
     {"padding": 4, "dilation": 2, "groups": 32}),
    ("pointwise 1x1 16->32 @28", (100, 16, 28, 28), (32, 16, 1, 1), {}),
    ("pointwise 1x1 32->64 @14", (100, 32, 14, 14), (64, 32, 1, 1), {}),
    ("pointwise 1x1 64->128 @7", (100, 64, 7, 7), (128, 64, 1, 1), {}),
    ("grouped 3x3 32->64 g4", (100, 32, 14, 14), (64, 8, 3, 3), {"padding": 1, "groups": 4}),
    ("grouped 3x3 32->32 g16", (100, 32, 14, 14), (32, 2, 3, 3), {"padding": 1, "groups": 16}),
    ("transpose 4x4 s2 16->8", (100, 16, 7, 7), (16, 8, 4, 4),
     {"padding": 1, "stride": 2, "transposed": True}),
    ("transpose dw 4x4 s2 32", (100, 32, 7, 7), (32, 1, 4, 4),
     {"padding": 1, "stride": 2, "groups": 32, "transposed": True}),
    ("transpose dw 3x3 s1 32", (100, 32, 14, 14), (32, 1, 3, 3),
     {"padding": 1, "groups": 32, "transposed": True}),
]


def _runners(xs: tuple[int, ...], ws: tuple[int, ...], kw: dict[str, Any]
             ) -> tuple[Callable[[], object], Callable[[], object]]:
    """(cnnviz step, torch step): forward + backward of the same op on the same data."""
    import torch

    kw = dict(kw)
    transposed = kw.pop("transposed", False)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs, dtype=np.float32)
    w = rng.standard_normal(ws, dtype=np.float32) * 0.1
    c_out = ws[1] * kw.get("groups", 1) if transposed else ws[0]
    b = rng.standard_normal(c_out, dtype=np.float32)
    fwd, bwd = ((F.conv_transpose2d_with_cache, F.conv_transpose2d_backward_from_cache)
                if transposed else (F.conv2d_with_cache, F.conv2d_backward_from_cache))
    y, _ = fwd(x, w, b, **kw)
    dy = rng.standard_normal(y.shape, dtype=np.float32)
    tfun = torch.nn.functional.conv_transpose2d if transposed else torch.nn.functional.conv2d
    tx = torch.from_numpy(x).requires_grad_(True)
    tw = torch.from_numpy(w).requires_grad_(True)
    tb = torch.from_numpy(b).requires_grad_(True)
    tdy = torch.from_numpy(dy)

    def ours() -> object:
        out, cache = fwd(x, w, b, **kw)
        return bwd(dy, cache)

    def theirs() -> object:
        tx.grad = tw.grad = tb.grad = None
        tfun(tx, tw, tb, **kw).backward(tdy)
        return tx.grad

    return ours, theirs


def _best(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(repeats: int, only: str | None) -> str:
    """The markdown table: cnnviz and PyTorch ms (best of ``repeats``) and their ratio."""
    rows = ["| op | x | weight | cnnviz ms | PyTorch ms | PyTorch / cnnviz time |",
            "| --- | --- | --- | ---: | ---: | ---: |"]
    ratios = []
    for name, xs, ws, kw in CASES:
        if only and only not in name:
            continue
        ours, theirs = _runners(xs, ws, kw)
        ours(), theirs()  # warm-up
        c, t = [], []
        for _ in range(repeats):
            c.append(_best(ours))
            t.append(_best(theirs))
        cm, tm = min(c) * 1e3, min(t) * 1e3
        ratios.append(tm / cm)
        rows.append(f"| {name} | {xs} | {ws} | {cm:.2f} | {tm:.2f} | {tm / cm:.2f} |")
    if ratios:
        rows.append(f"\ngeometric mean ratio {statistics.geometric_mean(ratios):.2f}, "
                    f"worst {min(ratios):.2f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--threads", type=int, default=None,
                   help="threads for both NumPy's BLAS and PyTorch (default: NumPy's own)")
    p.add_argument("--only", default=None, help="rows whose name contains this text")
    args = p.parse_args(argv)
    if args.threads is not None and not set_blas_threads(args.threads):
        print("could not set NumPy's BLAS threads; using its default", file=sys.stderr)
    import torch

    threads = blas_threads()
    torch.set_num_threads(threads)
    print(f"threads: {threads} (NumPy's OpenBLAS and torch), batch 100, forward + backward\n")
    print(run(args.repeats, args.only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
