"""Small nets trained side by side on the same MNIST batches, measured as they learn.

The "with versus without" lessons (batch norm, dropout and LRN, residual versus plain) compare
nets that differ in one thing. Every arm starts from the same seed, sees the same batches in
the same order, with the same optimiser; at each checkpoint it records its test accuracy and
loss and, for each of its tapped layers, the histogram and spread of that layer's output on the
training batch and the norm of that layer's weight gradients. A run is a ``Recording``: saved
as a small ``.npz`` (no pickle) by ``scripts/record_lesson_runs.py`` in ``assets/runs/``, and
run again by a page's "reproduce" button with the same settings.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz import nn, optim
from cnnviz.concurrency import training_threads
from cnnviz.training.data import mnist_split

__all__ = ["Arm", "LayerTap", "Recording", "Run", "RunSettings", "load_recording",
           "save_recording", "train_side_by_side"]

RUNS_DIR = Path(__file__).resolve().parents[2] / "assets" / "runs"


@dataclass(frozen=True)
class RunSettings:
    """Everything that defines a comparison run (saved with it, so it can be repeated)."""

    steps: int = 150
    batch_size: int = 32
    lr: float = 0.05
    momentum: float = 0.9
    seed: int = 0
    every: int = 25  # a checkpoint every this many steps (and at step 0 and the last)
    test_size: int = 500
    train_limit: int | None = None  # None: all 60,000 training digits
    bins: int = 24
    lo: float = -3.0  # histogram range; values outside go into the end bins
    hi: float = 3.0

    def checkpoints(self) -> list[int]:
        """The steps measured: 0 (before any update), every ``every``, and the last."""
        marks = list(range(0, self.steps, max(1, self.every)))
        return marks + [self.steps] if marks[-1] != self.steps else marks

    def edges(self) -> np.ndarray:
        return np.linspace(self.lo, self.hi, self.bins + 1)


@dataclass(frozen=True)
class LayerTap:
    """A layer to watch: the output of child ``act`` of the Sequential; the gradient norm of
    the parameters of children ``params``."""

    act: int
    params: tuple[int, ...]


@dataclass(frozen=True)
class Arm:
    """One contestant: a name, how to build it (seeded by the caller), the layers to watch."""

    name: str
    build: Callable[[], nn.Sequential]
    taps: tuple[LayerTap, ...]
    keep_state: bool = False  # save the trained weights with the run (a page uses them)


@dataclass
class Run:
    """What one arm did: loss per step; per checkpoint test accuracy / loss and per layer
    the output histogram (fractions), the output's standard deviation and the gradient norm."""

    loss: np.ndarray  # (steps,)
    test_acc: np.ndarray  # (K,)
    test_loss: np.ndarray  # (K,)
    act_hist: np.ndarray  # (K, L, bins)
    act_std: np.ndarray  # (K, L)
    grad_norm: np.ndarray  # (K, L)
    train_acc: np.ndarray  # (K,) evaluation mode, on the first test_size training digits
    train_loss: np.ndarray  # (K,)
    state: dict[str, np.ndarray] = field(default_factory=dict)  # the final weights

    FIELDS = ("loss", "test_acc", "test_loss", "act_hist", "act_std", "grad_norm",
              "train_acc", "train_loss")


@dataclass
class Recording:
    """A comparison: its settings, checkpoint steps, and one ``Run`` per arm (in order)."""

    settings: RunSettings
    runs: dict[str, Run]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def checkpoints(self) -> list[int]:
        return self.settings.checkpoints()

    @property
    def edges(self) -> np.ndarray:
        return self.settings.edges()

    def max_difference(self, other: Recording) -> float:
        """The largest absolute difference between two recordings' loss curves."""
        diffs = [float(np.nanmax(np.abs(run.loss - other.runs[name].loss)))
                 for name, run in self.runs.items() if name in other.runs]
        return max(diffs) if diffs else float("nan")


def _batches(n: int, settings: RunSettings) -> list[np.ndarray]:
    """The batch indices every arm sees: epochs of a seeded shuffle, the same for all."""
    rng = np.random.default_rng(settings.seed)
    order: list[int] = []
    need = settings.steps * settings.batch_size
    while len(order) < need:
        order.extend(rng.permutation(n).tolist())
    b = settings.batch_size
    return [np.asarray(order[i * b:(i + 1) * b]) for i in range(settings.steps)]


def _forward_taps(model: nn.Sequential, x: np.ndarray, want: set[int]
                  ) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Sequential's forward, keeping the outputs of the children in ``want``."""
    h = model.standardize(x)
    kept: dict[int, np.ndarray] = {}
    for i, m in enumerate(model.children()):
        h = m(h)
        if i in want:
            kept[i] = h
    return h, kept


def _grad_norm(children: list[nn.Module], idx: tuple[int, ...]) -> float:
    total = 0.0
    for i in idx:
        for p in children[i].parameters():
            total += float(np.sum(p.grad.astype(np.float64) ** 2))
    return float(np.sqrt(total))


def _evaluate(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Accuracy and mean loss in evaluation mode (training mode restored)."""
    model.eval()
    try:
        z = np.concatenate([model(x[i:i + 250]) for i in range(0, len(x), 250)])
    finally:
        model.train()
    loss = float(nn.functional.cross_entropy(z, y))
    return float((z.argmax(1) == y).mean()), loss


def _run_arm(arm: Arm, settings: RunSettings, data: tuple, tick: Callable[[], None]) -> Run:
    (xtr, ytr), (xte, yte), batches = data
    nn.manual_seed(settings.seed)
    model = arm.build()
    model.train()
    opt = optim.SGD(model.parameters(), lr=settings.lr, momentum=settings.momentum)
    loss_fn = nn.CrossEntropyLoss()
    marks = settings.checkpoints()
    K, L = len(marks), len(arm.taps)
    run = Run(np.full(settings.steps, np.nan), np.full(K, np.nan), np.full(K, np.nan),
              np.zeros((K, L, settings.bins)), np.full((K, L), np.nan), np.full((K, L), np.nan),
              np.full(K, np.nan), np.full(K, np.nan))
    seen = (xtr[:settings.test_size], ytr[:settings.test_size])
    want = {t.act for t in arm.taps}
    for step in range(settings.steps + 1):
        idx = batches[min(step, settings.steps - 1)]
        xb, yb = xtr[idx], ytr[idx]
        out, kept = _forward_taps(model, xb, want)
        loss = float(loss_fn(out, yb))
        opt.zero_grad()
        model.backward_params(loss_fn.backward())  # weights only, as the Trainer
        if step in marks:
            _measure(run, marks.index(step), arm, kept, list(model.children()), settings)
            k = marks.index(step)
            run.test_acc[k], run.test_loss[k] = _evaluate(model, xte, yte)
            run.train_acc[k], run.train_loss[k] = _evaluate(model, *seen)
        if step == settings.steps:
            break  # the last checkpoint measures the trained net; no update after it
        run.loss[step] = loss
        if not np.isfinite(loss):
            break
        opt.step()
        tick()
    if arm.keep_state:
        run.state = {k: np.array(v) for k, v in model.state_dict().items()}
    return run


def _measure(run: Run, k: int, arm: Arm, kept: dict[int, np.ndarray],
             children: list[nn.Module], settings: RunSettings) -> None:
    edges = settings.edges()
    for j, tap in enumerate(arm.taps):
        a = kept[tap.act].astype(np.float64).ravel()
        counts, _ = np.histogram(np.clip(a, edges[0], edges[-1]), bins=edges)
        run.act_hist[k, j] = counts / max(a.size, 1)
        run.act_std[k, j] = float(a.std())
        run.grad_norm[k, j] = _grad_norm(children, tap.params)


def train_side_by_side(arms: list[Arm], settings: RunSettings,
                       progress: Callable[[float], None] | None = None) -> Recording:
    """Train every arm on the same batches; ``progress(fraction)`` after each step.

    BLAS runs single-threaded meanwhile (``concurrency.training_threads``), as every
    training in the app: on a shared server that is both fairer and faster.
    """
    train = mnist_split("train", settings.train_limit)
    test = mnist_split("test", settings.test_size)
    batches = _batches(len(train[0]), settings)
    total, done = settings.steps * len(arms), [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0] / total)

    with training_threads():
        runs = {arm.name: _run_arm(arm, settings, (train, test, batches), tick)
                for arm in arms}
    return Recording(settings, runs)


def save_recording(rec: Recording, path: str | Path, **meta: Any) -> None:
    """One ``.npz``: every run's arrays and final weights, and the settings as JSON."""
    arrays: dict[str, np.ndarray] = {}
    for name, run in rec.runs.items():
        for f in Run.FIELDS:
            arrays[f"{name}/{f}"] = np.asarray(getattr(run, f), dtype=np.float32)
        for k, v in run.state.items():
            arrays[f"{name}/state/{k}"] = np.asarray(v)
    info = {"settings": asdict(rec.settings), "arms": list(rec.runs), **rec.meta, **meta}
    arrays["__meta__"] = np.array(json.dumps(info))
    np.savez_compressed(path, **arrays)


def load_recording(path: str | Path) -> Recording:
    """Read a recording written by ``save_recording`` (no pickle)."""
    with np.load(path, allow_pickle=False) as z:
        info = json.loads(str(z["__meta__"]))
        runs = {}
        for name in info["arms"]:
            parts = {f: np.asarray(z[f"{name}/{f}"], dtype=np.float64) for f in Run.FIELDS}
            prefix = f"{name}/state/"
            state = {k[len(prefix):]: np.asarray(z[k]) for k in z.files if k.startswith(prefix)}
            runs[name] = Run(**parts, state=state)
    settings = RunSettings(**info.pop("settings"))
    info.pop("arms")
    return Recording(settings, runs, info)
