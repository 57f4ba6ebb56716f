"""Pace of the live training page: images/s of its default run and time to 97 % / 98 %.

The page trains with ``cnnviz.train.Trainer`` and the default ``TrainConfig`` (simple_convnet,
Adam, lr 1e-3, batch 100, test accuracy on 1,000 test images every 100 steps) inside
``cnnviz.concurrency.training_threads``: one BLAS thread, and the engine's own threads
(``CNNVIZ_ENGINE_THREADS``, default the cores) unless the server says otherwise. This script
runs exactly that on MNIST and prints one JSON line:

* ``images_per_second``: training images per second of training time (evaluations excluded),
  over ``--steps`` steps after ``--warmup`` untimed ones;
* with ``--accuracy``: the training seconds and steps until the page's test accuracy first
  reaches 97 % and 98 % (at most ``--max-epochs`` epochs).

    python benchmarks/live_training.py                       # simple_convnet, as the page
    python benchmarks/live_training.py --model convnet_bn --steps 30
    python benchmarks/live_training.py --accuracy
    python benchmarks/live_training.py --engine-threads 1    # as the page was before them
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cnnviz import nn  # noqa: E402
from cnnviz.concurrency import ENV_ENGINE_THREADS, training_threads  # noqa: E402
from cnnviz.train import TrainConfig, Trainer  # noqa: E402


def images_per_second(model: str, steps: int, warmup: int) -> float:
    """Training images per second of training time for the page's default settings."""
    trainer = Trainer(TrainConfig(model=model, eval_every=0))
    trainer.run(steps=warmup)
    seconds, images = trainer.seconds, trainer.images_seen
    trainer.run(steps=steps)
    return (trainer.images_seen - images) / (trainer.seconds - seconds)


def time_to_accuracy(model: str, targets: tuple[float, ...], max_epochs: int
                     ) -> dict[str, dict[str, float] | None]:
    """Training seconds and steps until the page's test accuracy first reaches each target."""
    trainer = Trainer(TrainConfig(model=model, epochs=max_epochs))
    found: dict[str, dict[str, float] | None] = {f"{t:.0%}": None for t in targets}
    while not trainer.done and any(v is None for v in found.values()):
        for event in trainer.run(steps=trainer.config.eval_every):
            if event.test_accuracy is None:
                continue
            for t in targets:
                if found[f"{t:.0%}"] is None and event.test_accuracy >= t:
                    found[f"{t:.0%}"] = {"seconds": round(event.seconds, 1), "step": event.step,
                                         "epochs": round(event.epoch_progress, 2)}
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="simple_convnet")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (the page uses 1)")
    p.add_argument("--engine-threads", type=int, default=None,
                   help="engine threads while training (default: the page's, the cores)")
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--accuracy", action="store_true", help="also time 97 %% and 98 %%")
    p.add_argument("--max-epochs", type=int, default=3)
    args = p.parse_args(argv)
    if args.engine_threads is not None:
        os.environ[ENV_ENGINE_THREADS] = str(args.engine_threads)
    with training_threads(args.threads) as blas:
        result: dict[str, object] = {
            "model": args.model, "blas_threads": blas, "engine_threads": nn.get_num_threads(),
            "images_per_second": round(images_per_second(args.model, args.steps, args.warmup))}
        if args.accuracy:
            result["time_to"] = time_to_accuracy(args.model, (0.97, 0.98), args.max_epochs)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
