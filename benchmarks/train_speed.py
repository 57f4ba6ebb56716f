"""Training speed of cnnviz against PyTorch on the same machine, in the same run.

For each net, cnnviz and PyTorch train identical copies (PyTorch's twin is built from the cnnviz
module tree and given the same initial weights) on the same random batches of 100 with Adam;
repeats alternate cnnviz and PyTorch so that load from other processes hits both alike, warm-up
steps are excluded, and the ratio is the median of the per-repeat ratios. ``--threads N`` gives
both N threads: PyTorch through ``torch.set_num_threads``, cnnviz through its engine's own
workers (``cnnviz.nn.set_num_threads``) over one BLAS thread; ``--blas-threads`` gives cnnviz N
BLAS threads instead. Without it PyTorch gets as many threads as NumPy's BLAS uses.

    python benchmarks/train_speed.py                 # full run, writes nothing
    python benchmarks/train_speed.py --markdown benchmarks/RESULTS.md
    python benchmarks/train_speed.py --quick         # a few seconds, for the tests
    python benchmarks/train_speed.py --profile simple_convnet   # where cnnviz's time goes
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import blas_threads, settle, torch_twin, use_threads  # noqa: E402
from cnnviz import nn, optim  # noqa: E402
from cnnviz.models import build_model  # noqa: E402

NETS = ("simple_convnet", "lenet5", "separable_net", "conv3x3_dw", "conv3x3_bn")
TARGET = 0.6


def _conv3x3_dw() -> nn.Sequential:
    """Issue 12's 3x3 net: conv 1->16, conv 16->32 (3x3, padding 1), depthwise 3x3 + 1x1 to 64."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1, groups=32), nn.Conv2d(32, 64, 1), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 10))


def _conv3x3_bn() -> nn.Sequential:
    """Issue 12's batch-norm net: three 3x3 convs (32, 32, 64 channels, padding 1), each + BN."""
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.Conv2d(32, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32), nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 7 * 7, 10))


# benchmark-only nets (not in the app's model list): the shapes issue 12 measured
BENCH_NETS = {"conv3x3_dw": _conv3x3_dw, "conv3x3_bn": _conv3x3_bn}


def build_net(name: str, seed: int = 0) -> nn.Sequential:
    """An app model by name (``cnnviz.models``) or one of :data:`BENCH_NETS`."""
    if name in BENCH_NETS:
        nn.init.manual_seed(seed)
        return BENCH_NETS[name]()
    return build_model(name, seed=seed)


def _batches(n: int, batch: int, seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [(rng.random((batch, 1, 28, 28), dtype=np.float32),
             rng.integers(0, 10, size=batch).astype(np.int64)) for _ in range(n)]


class CnnvizRunner:
    def __init__(self, name: str, seed: int = 0) -> None:
        self.model = build_net(name, seed=seed)
        self.model.train()
        self.loss_fn = nn.CrossEntropyLoss()
        self.opt = optim.Adam(list(self.model.parameters()), lr=1e-3)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(x), y)
        self.model.backward_params(self.loss_fn.backward())  # as the Trainer: no image gradient
        self.opt.step()
        return float(loss)


class TorchRunner:
    def __init__(self, model: Any) -> None:
        import torch

        self.torch = torch
        self.model = torch_twin(model)
        self.model.train()
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        torch = self.torch
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(torch.from_numpy(x)), torch.from_numpy(y))
        loss.backward()
        self.opt.step()
        return loss.item()


# wall time by default; ``--cpu-time`` switches to this process's CPU time, which other busy
# processes on a shared machine barely disturb (meaningful with one thread only)
CLOCK = time.perf_counter


def _timed(runner: Any, batches: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Images per second over ``batches`` (after the other side's threads went idle)."""
    settle()
    t0 = CLOCK()
    for x, y in batches:
        runner.step(x, y)
    dt = CLOCK() - t0
    return sum(len(y) for _, y in batches) / dt


def bench_net(name: str, repeats: int, steps: int, warmup: int, batch: int,
              use_torch: bool) -> dict[str, Any]:
    ours = CnnvizRunner(name)
    theirs = TorchRunner(ours.model) if use_torch else None
    batches = _batches(steps, batch, seed=1)
    warm = _batches(warmup, batch, seed=2)
    for x, y in warm:  # warm-up: caches, allocator, BLAS threads; not timed
        ours.step(x, y)
        if theirs is not None:
            theirs.step(x, y)
    c_ips: list[float] = []
    t_ips: list[float] = []
    for r in range(repeats):
        # alternate who goes first so that a burst of outside load does not favour one side
        order = [("c", ours), ("t", theirs)] if r % 2 == 0 else [("t", theirs), ("c", ours)]
        for who, runner in order:
            if runner is None:
                continue
            (c_ips if who == "c" else t_ips).append(_timed(runner, batches))
    row: dict[str, Any] = {
        "net": name,
        "params": int(sum(p.data.size for p in ours.model.parameters())),
        "cnnviz": statistics.median(c_ips),
    }
    if t_ips:
        row["torch"] = statistics.median(t_ips)
        row["ratio"] = statistics.median(c / t for c, t in zip(c_ips, t_ips))
        row["ratio_min"] = min(c / t for c, t in zip(c_ips, t_ips))
        row["ratio_max"] = max(c / t for c, t in zip(c_ips, t_ips))
    return row


def table(rows: list[dict[str, Any]], threads: str, torch_version: str | None) -> str:
    lines = [
        "| net | params | cnnviz img/s | PyTorch img/s | cnnviz / PyTorch (median, range) |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        if "torch" in r:
            ok = "" if r["ratio"] >= TARGET else f" (below {TARGET})"
            lines.append(f"| {r['net']} | {r['params']:,} | {r['cnnviz']:,.0f} | "
                         f"{r['torch']:,.0f} | {r['ratio']:.2f} ({r['ratio_min']:.2f}–"
                         f"{r['ratio_max']:.2f}){ok} |")
        else:
            lines.append(f"| {r['net']} | {r['params']:,} | {r['cnnviz']:,.0f} | – | – |")
    note = (f"Batch 100, Adam, training steps (forward + backward + update); "
            f"{'process CPU time; ' if CLOCK is time.process_time else ''}"
            f"threads: {threads}; "
            f"numpy {np.__version__}, torch {torch_version or 'not installed'}, "
            f"Python {platform.python_version()}, {platform.machine()}.")
    return "\n".join(lines) + "\n\n" + note + "\n"


def profile(name: str, steps: int, batch: int, top: int = 25) -> None:
    """cProfile cnnviz training steps and print the functions where the time goes."""
    import cProfile
    import pstats

    runner = CnnvizRunner(name)
    batches = _batches(steps, batch)
    runner.step(*batches[0])
    prof = cProfile.Profile()
    prof.enable()
    for x, y in batches:
        runner.step(x, y)
    prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def layer_profile(name: str, repeats: int, batch: int) -> str:
    """Forward + backward time of each top-level layer, cnnviz vs its PyTorch twin.

    Says exactly which op makes a net slow (the median of ``repeats`` interleaved timings).
    """
    import torch

    model = build_net(name, seed=0)
    model.train()
    twin = torch_twin(model)
    twin.train()
    x = np.random.default_rng(0).random((batch, 1, 28, 28), dtype=np.float32)
    rows = []
    h = x
    for i, (layer, tlayer) in enumerate(zip(model, twin)):
        c_times, t_times = [], []
        out = np.asarray(layer(h))
        dy = np.ones_like(out) / out.size
        th = torch.from_numpy(np.array(h)).requires_grad_(True)
        tdy = torch.from_numpy(dy)
        for _ in range(repeats + 1):
            t0 = time.perf_counter()
            layer(h)
            layer.backward(dy)
            c_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            ty = tlayer(th)
            ty.backward(tdy)
            t_times.append(time.perf_counter() - t0)
        c = statistics.median(c_times[1:]) * 1e3
        t = statistics.median(t_times[1:]) * 1e3
        rows.append(f"| {i} | {type(layer).__name__} | {tuple(out.shape[1:])} | {c:.2f} | "
                    f"{t:.2f} | {t / c if c else float('nan'):.2f} |")
        h = out
    head = ("| # | layer | output (C, H, W) | cnnviz ms | PyTorch ms | cnnviz / PyTorch speed |\n"
            "| --- | --- | --- | ---: | ---: | ---: |\n")
    return f"{name}, batch {batch}, forward + backward per layer:\n\n" + head + "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--nets", nargs="+", default=list(NETS))
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--steps", type=int, default=10, help="timed steps per repeat")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--quick", action="store_true", help="2 repeats of 2 steps (smoke test)")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--threads", type=int, default=None,
                   help="threads for cnnviz (its engine's workers over one BLAS thread) and "
                        "PyTorch (default: NumPy's and PyTorch's own)")
    p.add_argument("--blas-threads", action="store_true",
                   help="with --threads: give cnnviz that many BLAS threads instead, its "
                        "engine on one thread (as before cnnviz.nn.set_num_threads)")
    p.add_argument("--markdown", type=Path, default=None, help="also write the table here")
    p.add_argument("--cpu-time", action="store_true",
                   help="time by process CPU time (robust on a busy machine; use --threads 1)")
    p.add_argument("--profile", metavar="NET", default=None,
                   help="profile cnnviz on NET instead of benchmarking")
    p.add_argument("--layers", metavar="NET", default=None,
                   help="time each layer of NET against PyTorch instead of benchmarking")
    args = p.parse_args(argv)
    if args.quick:
        args.repeats, args.steps, args.warmup = 2, 1, 1
    if args.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    if args.profile:
        use_threads(args.threads, engine=not args.blas_threads)
        profile(args.profile, max(args.steps, 5), args.batch)
        return 0
    if args.layers:
        use_threads(args.threads, engine=not args.blas_threads)
        import torch

        torch.set_num_threads(args.threads or blas_threads())
        print(layer_profile(args.layers, args.repeats, args.batch))
        return 0

    threads = use_threads(args.threads, engine=not args.blas_threads)
    torch_version = None
    use_torch = not args.no_torch
    if use_torch:
        try:
            import torch
        except ImportError:
            use_torch = False
            print("PyTorch not installed: cnnviz figures only", file=sys.stderr)
        else:
            torch.set_num_threads(args.threads or blas_threads())
            torch.manual_seed(0)
            torch_version = torch.__version__
    rows = []
    for name in args.nets:
        print(f"benchmarking {name} ...", file=sys.stderr, flush=True)
        rows.append(bench_net(name, args.repeats, args.steps, args.warmup, args.batch,
                              use_torch))
    text = table(rows, threads, torch_version)
    print(text)
    if args.markdown is not None:
        header = ("# Training speed: cnnviz vs PyTorch\n\n"
                  f"`python benchmarks/train_speed.py` ({args.repeats} repeats × {args.steps} "
                  f"steps, {args.warmup} warm-up steps excluded, interleaved), "
                  f"{time.strftime('%Y-%m-%d')}.\n\n")
        old = args.markdown.read_text() if args.markdown.exists() else ""
        # keep the hand-written details and memory.py's section that follow the table
        marks = [old.index(m) for m in ("<!-- details -->", "<!-- memory -->") if m in old]
        tail = old[min(marks):] if marks else ""
        args.markdown.write_text(header + text + ("\n" + tail if tail else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
