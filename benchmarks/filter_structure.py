"""Do the first-layer filters visibly learn? Structure and accuracy of simple_convnet runs.

Structure is ``cnnviz.training.structure.layer_structure`` of the first conv layer (the mean
over its filters of the neighbour correlation; random weights ≈ −0.03 to −0.07, smooth
strokes and edges ≥ 0.3). Two runs, as issue 10 asks, each with the model's own start and,
with ``--pytorch-init``, with PyTorch's default start for every layer (the former behaviour):

* the live page's defaults (Adam, lr 0.003, batch 100, seed 0): structure every 50 steps and
  test accuracy on all 10,000 test digits after 300 steps;
* one epoch at lr 1e-3, batch 100: test accuracy after 600 steps.

    OMP_NUM_THREADS=1 python benchmarks/filter_structure.py            # both runs, ~10 min
    python benchmarks/filter_structure.py --run page --pytorch-init

Prints one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnviz import nn  # noqa: E402
from cnnviz.data.mnist import mnist_arrays  # noqa: E402
from cnnviz.training import TrainConfig, Trainer, evaluate_model  # noqa: E402
from cnnviz.training.structure import layer_structure  # noqa: E402

RUNS = {"page": (3e-3, 300), "epoch": (1e-3, 600)}


def measure(run: str, model: str, pytorch_init: bool, every: int = 50) -> dict[str, object]:
    """Structure every ``every`` steps and the full test accuracy at the end of ``run``."""
    lr, steps = RUNS[run]
    tr = Trainer(TrainConfig(model=model, optimizer="adam", lr=lr, batch_size=100,
                             eval_every=0, seed=0))
    if pytorch_init:  # every conv / linear layer back to PyTorch's default start
        nn.manual_seed(0)
        for m in tr.model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                m.reset_parameters()
        tr.initial_first_layer = tr.first_layer_weights()
        tr.guard.snapshot()
    structure = {0: round(layer_structure(tr.first_layer_weights()), 3)}
    start = time.perf_counter()
    while tr.step < steps:
        tr.run(steps=min(every, steps - tr.step))
        structure[tr.step] = round(layer_structure(tr.first_layer_weights()), 3)
    x, y = mnist_arrays("test")
    return {"run": run, "model": model, "init": "pytorch" if pytorch_init else "model",
            "lr": lr, "steps": steps, "structure": structure,
            "test_accuracy": evaluate_model(tr.model, x, y).accuracy,
            "seconds": round(time.perf_counter() - start, 1)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--run", choices=[*RUNS, "all"], default="all")
    p.add_argument("--model", default="simple_convnet")
    p.add_argument("--pytorch-init", action="store_true")
    args = p.parse_args(argv)
    for run in RUNS if args.run == "all" else [args.run]:
        print(json.dumps(measure(run, args.model, args.pytorch_init)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
