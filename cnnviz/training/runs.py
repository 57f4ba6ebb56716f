"""Runs the learner keeps to compare: a finished or paused run's curves and its settings.

"Keep this run" stores a small copy (curves thinned to a few hundred points, no weights) so up
to ``MAX_KEPT`` runs can be overlaid on the next run's axes: optimisers, learning rates and
batch sizes compared on the same steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_KEPT", "KeptRun", "keep_run", "kept_list"]

MAX_KEPT = 4


@dataclass(frozen=True)
class KeptRun:
    """What the curves of an earlier run need: its settings and thinned curves."""

    model: str
    optimizer: str
    lr: float  # the learning rate it started with
    batch_size: int
    schedule: str
    steered: int  # how many settings were changed during the run
    steps: tuple[float, ...]
    loss_avg: tuple[float, ...]
    lrs: tuple[float, ...]
    test_steps: tuple[float, ...]
    test_accuracy: tuple[float, ...]


def _thin(n: int, most: int) -> np.ndarray:
    if n <= most:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, most).round().astype(int))


def keep_run(trainer, max_points: int = 400) -> KeptRun:  # noqa: ANN001 - a Trainer
    """A ``KeptRun`` of ``trainer``'s run so far (its curves thinned to ``max_points``)."""
    h = trainer.history
    idx = _thin(len(h), max_points)
    cfg = trainer.config
    changes = trainer.changes
    lr_changes = [c for c in changes if c.name == "lr"]  # config.lr is the starting rate too
    return KeptRun(
        model=cfg.model, optimizer=cfg.optimizer,
        lr=float(lr_changes[0].old if lr_changes else cfg.lr),
        batch_size=cfg.batch_size, schedule=cfg.schedule, steered=len(changes),
        steps=tuple(float(h[i].step) for i in idx),
        loss_avg=tuple(float(h[i].loss_avg) for i in idx),
        lrs=tuple(float(h[i].lr) for i in idx),
        test_steps=tuple(float(p.step) for p in trainer.test_history),
        test_accuracy=tuple(float(p.accuracy) for p in trainer.test_history))


def kept_list(kept: list[KeptRun], run: KeptRun, most: int = MAX_KEPT) -> list[KeptRun]:
    """``kept`` with ``run`` added, the oldest dropped beyond ``most``."""
    return [*kept, run][-most:]
