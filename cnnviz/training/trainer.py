"""The Trainer: one named model trained on MNIST in bounded chunks.

The live page drives training from a ``st.fragment(run_every=...)``: every tick it calls
``trainer.run(seconds=0.3)``, draws what came back and returns, so the browser stays live.
That is why the Trainer advances in bounded chunks, keeps all its state between calls
(plain NumPy arrays and dataclasses: no threads, no open files, fine in ``st.session_state``)
and never imports Streamlit. Each of its jobs lives in its own module and the Trainer only
wires them: data (``training.data``), progress (``training.progress``), the divergence guard
(``training.guard``), inference (``training.inference``), inspection (``training.inspection``)
and weights files (``cnnviz.weights``).

    trainer = Trainer(TrainConfig(model="simple_convnet", optimizer="adam", lr=1e-3))
    while not trainer.done:
        events = trainer.run(seconds=0.5)
    result = trainer.evaluate()          # accuracy, confusion matrix, mistakes ...
    trainer.save("simple_convnet.npz")
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from cnnviz import nn, optim, weights
from cnnviz.models import build_model
from cnnviz.training.config import TrainConfig
from cnnviz.training.data import Arrays, Feeder
from cnnviz.training.guard import DivergenceGuard, StopReason, diverged
from cnnviz.training.inference import (
    EvalResult,
    accuracy_and_loss,
    evaluate_model,
    logits,
    probabilities,
)
from cnnviz.training.inspection import feature_maps, first_conv_weight
from cnnviz.training.progress import Progress, ProgressEvent, TestPoint
from cnnviz.training.steering import Change, apply_change, steer_value, steerable

__all__ = ["Trainer"]


def _counter(name: str) -> property:
    """A read-only view of ``Trainer.progress.<name>`` (step, seconds, history ...)."""
    return property(lambda self: getattr(self.progress, name),
                    doc=f"``progress.{name}`` (see ``training.progress.Progress``).")


class Trainer:
    """Trains one named model on MNIST in bounded chunks; see the module docstring.

    ``train_data`` / ``test_data`` (images (N, 1, 28, 28) float32 in [0, 1], int labels) replace
    MNIST, e.g. for tests; by default the arrays come from ``cnnviz.data.mnist`` and are shared
    between Trainers in one process.
    """

    step: int = _counter("step")  # type: ignore[assignment]
    seconds: float = _counter("seconds")  # type: ignore[assignment]
    images_seen: int = _counter("images_seen")  # type: ignore[assignment]
    history: list[ProgressEvent] = _counter("history")  # type: ignore[assignment]
    test_history: list[TestPoint] = _counter("test_history")  # type: ignore[assignment]
    changes: list[Change] = _counter("changes")  # type: ignore[assignment]

    def __init__(self, config: TrainConfig | None = None, *, train_data: Arrays | None = None,
                 test_data: Arrays | None = None) -> None:
        self.config = cfg = config or TrainConfig()
        if cfg.batch_size < 1 or cfg.epochs < 1:
            raise ValueError("batch_size and epochs must be at least 1")
        self.model: nn.Sequential = build_model(cfg.model, seed=cfg.seed,
                                                standardize=cfg.standardize)
        # dropout draws from the trainer's own generator, not the engine's global one, so two
        # trainers stepping in turn (two browser sessions) each stay repeatable
        self._dropout_rng = np.random.default_rng([cfg.seed, 1])
        for m in self.model.modules():
            if type(m).__name__ == "Dropout":
                m.rng = self._dropout_rng
        self.init_meta: dict[str, Any] = {}
        if cfg.init is not None:
            source = weights.pretrained_path(cfg.model) if cfg.init == "pretrained" else cfg.init
            self.init_meta = weights.load_into(self.model, source, cfg.model)
            # the weights' own setting wins: the config (and so saved files) says what runs
            self.config = cfg = replace(cfg, standardize=self.standardize)
        self.model.train()
        self.loss_fn = nn.CrossEntropyLoss()
        self.optimizer = optim.make_optimizer(cfg.optimizer, list(self.model.parameters()),
                                              cfg.lr, **cfg.hyper)
        self.data = Feeder(train_data, test_data, limit=cfg.train_limit,
                           batch_size=cfg.batch_size, augment=cfg.augment, seed=cfg.seed)
        self.steps_per_epoch = self.data.steps_per_epoch
        self.total_steps = self.steps_per_epoch * cfg.epochs
        self.scheduler = optim.make_scheduler(cfg.schedule, self.optimizer, self.total_steps)
        self.progress = Progress(ema=cfg.ema)
        self.stopped_reason: StopReason | None = None
        self.guard = DivergenceGuard(self.model)
        self.initial_first_layer = self.first_layer_weights()
        self._start_state = {k: v.copy() for k, v in self.model.state_dict().items()}
        self._start_model: nn.Sequential | None = None  # built on first use (maps at start)

    # ------------------------------------------------------------------ training

    def train_step(self) -> ProgressEvent | None:
        """One optimisation step; None (and ``stopped_reason`` set) if it diverged."""
        if self.done:
            return None
        t0 = time.perf_counter()
        xb, yb = self.data.batch(self.step)
        lr = self.lr
        self.model.train()
        out = self.model(xb)
        loss = float(self.loss_fn(out, yb))
        if not self.guard.loss_ok(loss):
            return self._stop("loss", lr)
        self.guard.snapshot()  # these weights gave a finite loss: the last good ones
        self.optimizer.zero_grad()
        self.model.backward_params(self.loss_fn.backward())  # no image gradient
        self.optimizer.step()
        self.scheduler.step()
        if not self.guard.weights_ok():
            return self._stop("weights", lr)
        accuracy = float((out.argmax(axis=1) == yb).mean())
        event = self.progress.record(loss, accuracy, len(yb), time.perf_counter() - t0, lr,
                                     self.steps_per_epoch)
        every = self.config.eval_every
        if every and (self.step % every == 0 or self.done) and self.config.test_limit != 0:
            self.progress.record_test(event, *self.quick_test())
        return event

    def _stop(self, what: str, lr: float) -> None:
        self.guard.restore()
        self.stopped_reason = diverged(self.step + 1, what, lr, self.config.optimizer)

    def run(self, steps: int | None = None, seconds: float | None = None) -> list[ProgressEvent]:
        """Advance by at most ``steps`` steps and/or about ``seconds`` seconds, then return.

        With neither, runs to the end. At least one step runs if training is not done; a step is
        not started when the smoothed step time says it would overshoot the budget.
        """
        events: list[ProgressEvent] = []
        start = time.perf_counter()
        while not self.done:
            if steps is not None and len(events) >= steps:
                break
            elapsed = time.perf_counter() - start
            if seconds is not None and events and elapsed + self.progress.step_seconds > seconds:
                break
            event = self.train_step()
            if event is None:
                break
            events.append(event)
        return events

    def change_lr(self, lr: float) -> None:
        """Continue (e.g. after a divergence) with a fresh optimiser at ``lr`` for the steps left.

        Clears ``stopped_reason``; the weights are the last good ones already restored.
        """
        self.config = replace(self.config, lr=float(lr))
        self.optimizer = optim.make_optimizer(self.config.optimizer,
                                              list(self.model.parameters()), float(lr),
                                              **self.config.hyper)
        self.scheduler = optim.make_scheduler(self.config.schedule, self.optimizer,
                                              max(1, self.total_steps - self.step))
        self.stopped_reason = None

    def steerable(self) -> tuple[str, ...]:
        """The settings :meth:`steer` can change for this optimiser (see ``training.steering``)."""
        return steerable(self.optimizer)

    def setting(self, name: str) -> float:
        """The current learning rate (the schedule's base), momentum or weight decay."""
        return steer_value(self.optimizer, self.scheduler, name)

    def steer(self, name: str, value: float) -> Change | None:
        """Change ``lr``, ``momentum`` or ``weight_decay`` from the next step on, keeping the
        optimiser's state; recorded in ``changes`` (None if the value is the current one)."""
        old = self.setting(name)
        if float(value) == old:
            return None
        apply_change(self.optimizer, self.scheduler, name, value)
        change = Change(self.step, name, old, float(value))
        self.progress.changes.append(change)
        return change

    # ------------------------------------------------------------------ state

    @property
    def done(self) -> bool:
        """True when every epoch has run or training was stopped (see ``stopped_reason``)."""
        return self.stopped_reason is not None or self.step >= self.total_steps

    @property
    def epoch(self) -> int:
        return min(self.step // self.steps_per_epoch, self.config.epochs - 1)

    @property
    def epoch_progress(self) -> float:
        return self.step / self.steps_per_epoch

    @property
    def lr(self) -> float:
        """The learning rate the next step will use (the schedule moves it)."""
        groups = getattr(self.optimizer, "param_groups", None)
        return float(groups[0]["lr"]) if groups else float(self.optimizer.lr)

    @property
    def images_per_second(self) -> float:
        """Average training throughput so far (evaluation time excluded)."""
        return self.images_seen / self.seconds if self.seconds > 0 else 0.0

    @property
    def standardize(self) -> bool:
        """Whether the model standardises its input (MNIST mean/std) before the first layer."""
        return self.model.input_standardize

    @property
    def train_size(self) -> int:
        return self.data.train_size

    def parameter_count(self) -> int:
        return int(sum(p.data.size for p in self.model.parameters()))

    def test_arrays(self, limit: int | None = None) -> Arrays:
        """The first ``limit`` test images and labels (the fixed subset the curves use)."""
        return self.data.test_arrays(limit)

    def history_columns(self) -> dict[str, list[float]]:
        """The history as columns, ready for a plot: train curves and the test curve."""
        return self.progress.columns()

    # ------------------------------------------------------------------ weights files

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of the model's weights and buffers (PyTorch key names)."""
        return dict(self.model.state_dict())

    def metadata(self) -> dict[str, Any]:
        """What a weights file records beside the arrays: model, settings, progress, accuracy."""
        last = self.test_history[-1] if self.test_history else None
        return {
            **weights.model_metadata(self.model, self.config.model),
            "config": self.config.to_json(),
            "steps": self.step,
            "epochs_done": round(self.epoch_progress, 4),
            "train_seconds": round(self.seconds, 3),
            "test_accuracy_subset": None if last is None else last.accuracy,
            "stopped": None if self.stopped_reason is None else self.stopped_reason.code,
            "changes": [vars(c) for c in self.changes],
        }

    def save(self, path: str | Path, **extra: Any) -> Path:
        """Save weights + metadata to ``.npz`` (loadable by ``load_model`` and ``init=path``)."""
        return weights.save_weights(path, self.model.state_dict(), {**self.metadata(), **extra})

    def to_bytes(self, **extra: Any) -> bytes:
        """The ``.npz`` file as bytes, for a download button."""
        return weights.weights_bytes(self.model.state_dict(), {**self.metadata(), **extra})

    def load(self, source: Any) -> dict[str, Any]:
        """Load weights (path, upload or state_dict) into this model; returns the metadata.

        On any problem raises WeightsError and leaves the current weights untouched, so a page
        can show the message and carry on. The model's input standardisation becomes the
        weights' (off for files that do not record it).
        """
        meta = weights.load_into(self.model, source, self.config.model)
        self.config = replace(self.config, standardize=self.standardize)
        self.guard.snapshot()
        return meta

    # ------------------------------------------------------------------ inference, inspection

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Softmax probabilities (N, 10) for images (28, 28), (1, 28, 28) or (N, 1, 28, 28)."""
        return probabilities(self.model, x).astype(np.float32)

    def quick_test(self) -> tuple[float, float]:
        """Accuracy and loss on the fixed test subset (``test_limit`` images): the live curve."""
        x, y = self.test_arrays(self.config.test_limit)
        return accuracy_and_loss(logits(self.model, x).astype(np.float64), y)

    def evaluate(self, limit: int | None = None, x: np.ndarray | None = None,
                 y: np.ndarray | None = None) -> EvalResult:
        """Full evaluation on the first ``limit`` test images (or on ``x``, ``y``)."""
        if x is None or y is None:
            x, y = self.test_arrays(limit)
        return evaluate_model(self.model, x, y)

    def first_layer_weights(self) -> np.ndarray:
        """A copy of the first conv layer's weight (C_out, C_in, kH, kW): the filters grid."""
        return first_conv_weight(self.model)

    def feature_maps(self, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """[(layer name, activations)] after each conv layer (and its activation) for ``x``."""
        return feature_maps(self.model, x)

    def feature_maps_at_start(self, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """The same stages for ``x`` with the weights the run started from (step 0)."""
        if self._start_model is None:
            self._start_model = build_model(self.config.model, standardize=self.standardize)
            self._start_model.load_state_dict(self._start_state)
        return feature_maps(self._start_model, x)
