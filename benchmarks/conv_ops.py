"""Op-level speed of cnnviz against PyTorch (forward + backward, batch 100).

Each row times one op (forward with cache, then the backward from the cache: dx and the
parameter gradients) in cnnviz and the same op in PyTorch (autograd), interleaved so that load
from other processes hits both alike; a row's ratio is the median over ``--repeats`` of
PyTorch's time / cnnviz's (higher is better for cnnviz, 1 = same speed). Shapes are those of
the lesson nets and of issue 12: 3x3 convs with 8-64 channels at 28x28 and 14x14 with padding,
depthwise, 1x1, batch norm, pooling and ReLU.

    python benchmarks/conv_ops.py                 # NumPy's default BLAS threads
    python benchmarks/conv_ops.py --threads 1     # cnnviz and PyTorch on one thread
    python benchmarks/conv_ops.py --threads 2     # cnnviz's engine threads (1 BLAS thread)
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

from benchmarks._common import blas_threads, settle, use_threads  # noqa: E402
from cnnviz.nn import functional as F  # noqa: E402

# name, x shape, weight shape, keyword arguments (transposed: weight is (C_in, C_out/g, kh, kw));
# "op" picks a parameter-free op or batch norm instead of a convolution (weight shape unused)
CASES: list[tuple[str, tuple[int, ...], tuple[int, ...], dict[str, Any]]] = [
    ("conv 3x3 8->16 p1 @28", (100, 8, 28, 28), (16, 8, 3, 3), {"padding": 1}),
    ("conv 3x3 16->32 p1 @28", (100, 16, 28, 28), (32, 16, 3, 3), {"padding": 1}),
    ("conv 3x3 32->32 p1 @28", (100, 32, 28, 28), (32, 32, 3, 3), {"padding": 1}),
    ("conv 3x3 32->64 p1 @14", (100, 32, 14, 14), (64, 32, 3, 3), {"padding": 1}),
    ("conv 3x3 64->64 p1 @14", (100, 64, 14, 14), (64, 64, 3, 3), {"padding": 1}),
    ("conv 3x3 1->32 p1 @28", (100, 1, 28, 28), (32, 1, 3, 3), {"padding": 1}),
    ("conv 5x5 1->30", (100, 1, 28, 28), (30, 1, 5, 5), {}),
    ("conv 5x5 16->32 p2", (100, 16, 14, 14), (32, 16, 5, 5), {"padding": 2}),
    ("conv 3x3 1->16 p1", (100, 1, 28, 28), (16, 1, 3, 3), {"padding": 1}),
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
    ("batch norm 32 @28", (100, 32, 28, 28), (), {"op": "batch_norm"}),
    ("batch norm 64 @14", (100, 64, 14, 14), (), {"op": "batch_norm"}),
    ("max pool 2x2 32 @28", (100, 32, 28, 28), (), {"op": "max_pool2d"}),
    ("max pool 2x2 64 @14", (100, 64, 14, 14), (), {"op": "max_pool2d"}),
    ("max pool 3x3 s2 16 @28", (100, 16, 28, 28), (), {"op": "max_pool2d", "kernel_size": 3,
                                                      "stride": 2}),
    ("avg pool 2x2 6 @28", (100, 6, 28, 28), (), {"op": "avg_pool2d"}),
    ("relu 32 @28", (100, 32, 28, 28), (), {"op": "relu"}),
]


def _op_runners(xs: tuple[int, ...], kw: dict[str, Any]
                ) -> tuple[Callable[[], object], Callable[[], object]]:
    """(cnnviz step, torch step) of a non-convolution op: batch norm (training), pool, ReLU."""
    import torch

    kw = dict(kw)
    op = kw.pop("op")
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs, dtype=np.float32)
    tx = torch.from_numpy(x).requires_grad_(True)
    if op == "batch_norm":
        c = xs[1]
        w, b = np.ones(c, np.float32), np.zeros(c, np.float32)
        mean, var = np.zeros(c, np.float32), np.ones(c, np.float32)
        tw, tb = torch.from_numpy(w).requires_grad_(True), torch.from_numpy(b).requires_grad_(True)
        tmean, tvar = torch.from_numpy(mean.copy()), torch.from_numpy(var.copy())
        fwd = lambda: F.batch_norm_with_cache(x, mean, var, w, b, True)  # noqa: E731
        tfwd = lambda: torch.nn.functional.batch_norm(tx, tmean, tvar, tw, tb, True)  # noqa: E731
        params = [tx, tw, tb]
    else:
        if op != "relu":
            kw.setdefault("kernel_size", 2)
        fwd = lambda: getattr(F, op + "_with_cache")(x, **kw)  # noqa: E731
        tfwd = lambda: getattr(torch.nn.functional, op)(tx, **kw)  # noqa: E731
        params = [tx]
    bwd = getattr(F, op + "_backward_from_cache")
    dy = rng.standard_normal(fwd()[0].shape, dtype=np.float32)
    tdy = torch.from_numpy(dy)

    def ours() -> object:
        _, cache = fwd()
        return bwd(dy, cache)

    def theirs() -> object:
        for t in params:
            t.grad = None
        tfwd().backward(tdy)
        return tx.grad

    return ours, theirs


def _runners(xs: tuple[int, ...], ws: tuple[int, ...], kw: dict[str, Any]
             ) -> tuple[Callable[[], object], Callable[[], object]]:
    """(cnnviz step, torch step): forward + backward of the same op on the same data."""
    import torch

    if "op" in kw:
        return _op_runners(xs, kw)
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


# wall time, or with --cpu-time this process's CPU time (robust on a busy machine, 1 thread)
CLOCK = time.perf_counter


def _seconds(fn: Callable[[], object]) -> float:
    settle()
    t0 = CLOCK()
    fn()
    return CLOCK() - t0


def run(repeats: int, only: str | None) -> str:
    """The markdown table: median cnnviz and PyTorch ms and the median of their ratios."""
    rows = ["| op | x | weight | cnnviz ms | PyTorch ms | PyTorch / cnnviz time |",
            "| --- | --- | --- | ---: | ---: | ---: |"]
    ratios = []
    for name, xs, ws, kw in CASES:
        if only and only not in name:
            continue
        ours, theirs = _runners(xs, ws, kw)
        ours(), theirs()  # warm-up
        c, t = [], []
        for r in range(repeats):  # interleaved, alternating who goes first
            if r % 2:
                t.append(_seconds(theirs))
                c.append(_seconds(ours))
            else:
                c.append(_seconds(ours))
                t.append(_seconds(theirs))
        ratio = statistics.median(b / a for a, b in zip(c, t))
        cm, tm = statistics.median(c) * 1e3, statistics.median(t) * 1e3
        ratios.append(ratio)
        rows.append(f"| {name} | {xs} | {ws or '–'} | {cm:.2f} | {tm:.2f} | {ratio:.2f} |")
    if ratios:
        rows.append(f"\ngeometric mean ratio {statistics.geometric_mean(ratios):.2f}, "
                    f"worst {min(ratios):.2f}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--threads", type=int, default=None,
                   help="threads for cnnviz (engine workers over one BLAS thread) and PyTorch")
    p.add_argument("--blas-threads", action="store_true",
                   help="with --threads: cnnviz gets that many BLAS threads instead")
    p.add_argument("--only", default=None, help="rows whose name contains this text")
    p.add_argument("--cpu-time", action="store_true",
                   help="time by process CPU time (robust on a busy machine; use --threads 1)")
    args = p.parse_args(argv)
    if args.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    threads = use_threads(args.threads, engine=not args.blas_threads)
    import torch

    torch.set_num_threads(args.threads or blas_threads())
    print(f"threads: {threads}, batch 100, forward + backward"
          f"{', process CPU time' if args.cpu_time else ''}\n")
    print(run(args.repeats, args.only))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
