"""The command line: ``python -m cnnviz train ...`` and ``python -m cnnviz evaluate FILE.npz``.

Progress goes to stderr and the result to stdout, the last stdout line being one JSON object,
so scripts (``scripts/train_pretrained.py``, CI) can read the figures without parsing prose.
Expected failures (a missing or broken weights file, MNIST not found) print a clear message and
exit with code 2 instead of a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

from cnnviz.i18n import Text

EXIT_USAGE = 2
EXIT_DIVERGED = 1


class ProgressBar:
    """A one-line text bar on stderr; on a pipe it prints a line every 5 % instead of redrawing."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 30) -> None:
        self.total = max(1, total)
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last_draw = 0.0
        self._last_pct = -5

    def update(self, done: int, text: str, force: bool = False) -> None:
        frac = min(1.0, done / self.total)
        now = time.perf_counter()
        pct = int(frac * 100)
        if self.tty:
            if not force and now - self._last_draw < 0.1:
                return
            filled = int(frac * self.width)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r[{bar}] {pct:3d}% {text}\x1b[K")
        else:
            if not force and pct < self._last_pct + 5:
                return
            self._last_pct = pct
            self.stream.write(f"{pct:3d}% {text}\n")
        self.stream.flush()
        self._last_draw = now

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


def _parser() -> argparse.ArgumentParser:
    from cnnviz.models import MODEL_NAMES
    from cnnviz.optim import OPTIMIZER_NAMES, SCHEDULER_NAMES

    p = argparse.ArgumentParser(prog="python -m cnnviz",
                                description="Train and evaluate cnnviz's NumPy CNNs on MNIST.")
    sub = p.add_subparsers(dest="command", required=True)

    t = sub.add_parser("train", help="train a named model on MNIST and save its weights")
    t.add_argument("--model", default="simple_convnet", choices=MODEL_NAMES)
    t.add_argument("--epochs", type=int, default=1)
    t.add_argument("--batch-size", type=int, default=100)
    t.add_argument("--optimizer", default="adam", choices=OPTIMIZER_NAMES)
    t.add_argument("--lr", type=float, default=None,
                   help="learning rate (default: a good one for the optimiser)")
    t.add_argument("--momentum", type=float, default=None)
    t.add_argument("--weight-decay", type=float, default=None)
    t.add_argument("--schedule", default="constant", choices=SCHEDULER_NAMES)
    t.add_argument("--limit", type=int, default=None, help="train on the first N images only")
    t.add_argument("--test-limit", type=int, default=None,
                   help="evaluate on the first N test images (default: all 10000)")
    t.add_argument("--eval-every", type=int, default=0,
                   help="also measure a 1000-image test subset every N steps (0: never)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--augment", action="store_true",
                   help="shift each training image by up to 2 pixels")
    t.add_argument("--no-standardize", dest="standardize", action="store_false",
                   help="feed the model raw [0, 1] pixels instead of standardising them with "
                        "MNIST's mean and std (0.1307, 0.3081); with --init the weights' own "
                        "setting applies")
    t.add_argument("--init", default=None,
                   help="start from these weights (.npz) or 'pretrained'")
    t.add_argument("--threads", type=int, default=None,
                   help="engine threads, over one BLAS thread (default: as the live page, "
                        "$CNNVIZ_ENGINE_THREADS or the cores)")
    t.add_argument("--out", required=True, help="where to save the weights (.npz)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")

    e = sub.add_parser("evaluate", help="print the test accuracy of a weights file")
    e.add_argument("weights", help="a .npz saved by `train` (or bundled in assets/weights)")
    e.add_argument("--limit", type=int, default=None, help="first N test images only")
    e.add_argument("--model", default=None, help="architecture, if the file does not say")
    return p


def _fail(message: Text | str) -> int:
    """Print an error (both languages when it has them) and give the usage exit code."""
    text = message if isinstance(message, Text) else Text(message, "")
    print(f"error: {text.en}", file=sys.stderr)
    if text.zh:
        print(f"错误：{text.zh}", file=sys.stderr)
    return EXIT_USAGE


def _run_training(cfg: Any, args: argparse.Namespace) -> tuple[Any, Any, float]:
    """(trainer, test result, evaluation seconds): train with a progress bar, then test."""
    from cnnviz.training import Trainer

    trainer = Trainer(cfg)
    bar = None if args.quiet else ProgressBar(trainer.total_steps)
    while not trainer.done:
        events = trainer.run(seconds=0.5)
        if bar is not None and events:
            ev = events[-1]
            test = "" if ev.test_accuracy is None else f" test {ev.test_accuracy:.2%}"
            bar.update(ev.step, f"epoch {ev.epoch + 1}/{cfg.epochs} step {ev.step}/"
                       f"{trainer.total_steps} loss {ev.loss_avg:.4f} "
                       f"{ev.images_per_second:,.0f} img/s{test}")
    if bar is not None:
        bar.update(trainer.step, f"done in {trainer.seconds:.1f} s", force=True)
        bar.close()
    t0 = time.perf_counter()
    result = trainer.evaluate(limit=args.test_limit)
    eval_seconds = time.perf_counter() - t0
    return trainer, result, eval_seconds


def _train(args: argparse.Namespace) -> int:
    from cnnviz import nn
    from cnnviz.concurrency import training_threads
    from cnnviz.optim import DEFAULT_LR
    from cnnviz.training import TrainConfig

    hyper: dict[str, Any] = {}
    if args.momentum is not None:
        hyper["momentum"] = args.momentum
    if args.weight_decay is not None:
        hyper["weight_decay"] = args.weight_decay
    lr = DEFAULT_LR[args.optimizer] if args.lr is None else args.lr
    for name, value in (("--epochs", args.epochs), ("--batch-size", args.batch_size),
                        ("--threads", 1 if args.threads is None else args.threads)):
        if value < 1:
            return _fail(f"{name} must be at least 1")
    cfg = TrainConfig(
        model=args.model, optimizer=args.optimizer, lr=lr, hyper=hyper, schedule=args.schedule,
        batch_size=args.batch_size, epochs=args.epochs, train_limit=args.limit,
        test_limit=1000, eval_every=args.eval_every, seed=args.seed, augment=args.augment,
        init=args.init, standardize=args.standardize,
    )
    with training_threads(1):  # one BLAS thread, the engine's own threads: as the page
        if args.threads is not None:
            nn.set_num_threads(args.threads)
        engine_threads = nn.get_num_threads()
        trainer, result, eval_seconds = _run_training(cfg, args)
    summary: dict[str, Any] = {
        "model": cfg.model,
        "epochs": cfg.epochs,
        "batch_size": cfg.batch_size,
        "optimizer": cfg.optimizer,
        "lr": cfg.lr,
        "hyper": hyper,
        "schedule": cfg.schedule,
        "seed": cfg.seed,
        "augment": cfg.augment,
        "standardize": trainer.standardize,
        "train_images": trainer.train_size,
        "params": trainer.parameter_count(),
        "steps": trainer.step,
        "test_images": result.n,
        "test_accuracy": round(result.accuracy, 6),
        "test_loss": round(result.loss, 6),
        "train_seconds": round(trainer.seconds, 3),
        "images_per_second": round(trainer.images_per_second, 1),
        "engine_threads": engine_threads,
        "eval_seconds": round(eval_seconds, 3),
        "stopped": None if trainer.stopped_reason is None else trainer.stopped_reason.message.en,
        "out": None,
    }
    path = trainer.save(args.out, test_accuracy=summary["test_accuracy"],
                        test_images=result.n, images_per_second=summary["images_per_second"])
    summary["out"] = str(path)
    if trainer.stopped_reason is not None:
        print(trainer.stopped_reason.text("en"), file=sys.stderr)
    print(json.dumps(summary))
    return EXIT_DIVERGED if trainer.stopped_reason is not None else 0


def _evaluate(args: argparse.Namespace) -> int:
    from cnnviz.training import data, evaluate_model
    from cnnviz.weights import load_model

    model, meta = load_model(args.weights, model=args.model)
    x, y = data.mnist_split("test", args.limit)
    t0 = time.perf_counter()
    result = evaluate_model(model, x, y)
    seconds = time.perf_counter() - t0
    name = meta.get("model", args.model)
    print(f"{name}: test accuracy {result.accuracy:.2%} "
          f"({int(round(result.accuracy * result.n))}/{result.n}), loss {result.loss:.4f}")
    print(json.dumps({"model": name, "test_accuracy": round(result.accuracy, 6),
                      "test_loss": round(result.loss, 6), "test_images": result.n,
                      "input_standardize": model.input_standardize,
                      "seconds": round(seconds, 3)}))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code (0 ok, 1 training diverged, 2 bad input)."""
    from cnnviz.weights import WeightsError

    try:
        from cnnviz.data.mnist import MnistError
    except ImportError:  # pragma: no cover - only while the data package is missing
        MnistError = OSError  # type: ignore[misc,assignment]  # noqa: N806

    args = _parser().parse_args(argv)
    try:
        if args.command == "train":
            return _train(args)
        return _evaluate(args)
    except WeightsError as exc:
        return _fail(exc.text)
    except MnistError as exc:
        return _fail(exc.text)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
