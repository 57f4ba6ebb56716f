"""Peak memory of a 1-epoch simple_convnet training run (target: below 1 GB).

Peak resident set size is the kernel's high-water mark (VmHWM; ``resource.getrusage`` elsewhere)
of the whole process: Python, NumPy, the MNIST arrays, activations. It trains as the live
page does, inside ``cnnviz.concurrency.training_threads`` (one BLAS thread, the engine's own
threads). ``--tracemalloc`` adds
the peak of NumPy/Python allocations as tracemalloc sees them (slower).

    python benchmarks/memory.py [--limit N] [--tracemalloc] [--markdown benchmarks/RESULTS.md]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnviz import nn  # noqa: E402
from cnnviz.concurrency import training_threads  # noqa: E402
from cnnviz.training import TrainConfig, Trainer  # noqa: E402

MARKER = "<!-- memory -->"


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB.

    Linux: VmHWM from /proc/self/status. Not ``getrusage``'s ru_maxrss, which survives exec and
    so reports the parent's peak when the parent (pytest, say) was bigger at fork time.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="simple_convnet")
    p.add_argument("--limit", type=int, default=None, help="train images (default: all 60000)")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--tracemalloc", action="store_true")
    p.add_argument("--markdown", type=Path, default=None)
    args = p.parse_args(argv)

    before = peak_rss_mb()
    if args.tracemalloc:
        tracemalloc.start()
    cfg = TrainConfig(model=args.model, optimizer="adam", lr=1e-3, batch_size=args.batch_size,
                      epochs=1, train_limit=args.limit, eval_every=0)
    t0 = time.perf_counter()
    with training_threads() as blas:  # as the live page trains: the engine's threads too
        engine = nn.get_num_threads()
        trainer = Trainer(cfg)
        trainer.run()
        acc = trainer.evaluate().accuracy
    seconds = time.perf_counter() - t0
    result = {
        "model": args.model,
        "blas_threads": blas,
        "engine_threads": engine,
        "train_images": trainer.train_size,
        "epochs": 1,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_mb": round(before, 1),
        "test_accuracy": round(acc, 4),
        "seconds": round(seconds, 1),
    }
    if args.tracemalloc:
        result["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    print(json.dumps(result))
    if args.markdown is not None:
        text = (f"{MARKER}\n## Peak memory\n\n1 epoch of {args.model} on "
                f"{result['train_images']:,} MNIST images (batch {args.batch_size}, Adam), "
                f"`python benchmarks/memory.py`: peak RSS **{result['peak_rss_mb']:.0f} MB** "
                f"(interpreter + imports before training: {result['rss_before_mb']:.0f} MB; "
                f"target < 1 GB)")
        if "tracemalloc_peak_mb" in result:
            text += f", tracemalloc peak {result['tracemalloc_peak_mb']:.0f} MB"
        text += f"; test accuracy {result['test_accuracy']:.2%}.\n"
        old = args.markdown.read_text() if args.markdown.exists() else ""
        head = old[:old.index(MARKER)] if MARKER in old else old
        args.markdown.write_text(head.rstrip("\n") + "\n\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
