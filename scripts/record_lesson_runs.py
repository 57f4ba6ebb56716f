"""Record the side-by-side training runs the "how a CNN learns" lessons open with.

    python scripts/record_lesson_runs.py                 # every lesson
    python scripts/record_lesson_runs.py batchnorm       # one

Each lesson module (``cnnviz/lessons/<slug>.py``) defines ``SLUG``, ``SETTINGS`` (steps, batch
size, learning rate, momentum, seed, ...) and ``arms()``; the run is written to
``assets/runs/<slug>.npz`` with those settings, so the page can repeat it with one click.
Single-threaded BLAS, as the app trains, so a rerun gives the same numbers.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LESSONS = ("batchnorm", "dropout_lrn", "residual")


def record(slug: str) -> None:
    from cnnviz.concurrency import training_threads
    from cnnviz.lessons.learning import run_path
    from cnnviz.training.sidebyside import save_recording, train_side_by_side

    lesson = importlib.import_module(f"cnnviz.lessons.{slug}")
    start = time.perf_counter()
    with training_threads(1):
        rec = train_side_by_side(lesson.arms(), lesson.SETTINGS)
    path = run_path(slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_recording(rec, path, script="scripts/record_lesson_runs.py", lesson=slug)
    secs = time.perf_counter() - start
    print(f"{slug}: {secs:.0f} s -> {path.relative_to(ROOT)} ({path.stat().st_size // 1024} kB)")
    for name, run in rec.runs.items():
        print(f"  {name}: last loss {run.loss[-1]:.3f}, test accuracy "
              f"{run.test_acc[0]:.1%} -> {run.test_acc[-1]:.1%}")


def main(argv: list[str]) -> None:
    for slug in argv or LESSONS:
        record(slug)


if __name__ == "__main__":
    main(sys.argv[1:])
