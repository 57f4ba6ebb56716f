"""What a run has done so far: one ``ProgressEvent`` per step, the test curve, the counters
and smoothed figures (moving-average loss, images per second) the page and the CLI show."""

from __future__ import annotations

from dataclasses import dataclass, field

from cnnviz.training.steering import Change

__all__ = ["Progress", "ProgressEvent", "TestPoint"]


@dataclass
class ProgressEvent:
    """One training step, as the page plots it and the CLI prints it."""

    step: int  # steps done so far (1-based after the first step)
    epoch: int  # 0-based epoch this step belongs to
    epoch_progress: float  # epochs done, fractional (0.5 = half of the first epoch)
    loss: float
    loss_avg: float  # exponential moving average of the loss (bias-corrected)
    batch_accuracy: float
    images_per_second: float  # smoothed over recent steps
    lr: float  # the learning rate used for this step
    seconds: float  # training time so far (periodic evaluation excluded)
    test_accuracy: float | None = None  # set on steps where the test subset was evaluated
    test_loss: float | None = None


@dataclass
class TestPoint:
    """Accuracy on the fixed test subset at some step (the test curve)."""

    step: int
    epoch_progress: float
    accuracy: float
    loss: float


@dataclass
class Progress:
    """Counters and histories of one run; ``record`` turns a finished step into an event."""

    ema: float = 0.95
    step: int = 0
    seconds: float = 0.0  # time spent in training steps only
    images_seen: int = 0
    history: list[ProgressEvent] = field(default_factory=list)
    test_history: list[TestPoint] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # settings steered during the run
    loss_ema: float = 0.0
    step_seconds: float = 0.0  # smoothed seconds per step, for time budgets

    def record(self, loss: float, accuracy: float, images: int, seconds: float, lr: float,
               steps_per_epoch: int) -> ProgressEvent:
        """Count a finished step and append its event (moving averages updated)."""
        self.step += 1
        self.seconds += seconds
        self.images_seen += images
        beta = self.ema
        self.loss_ema = beta * self.loss_ema + (1 - beta) * loss
        avg = self.loss_ema / (1 - beta ** self.step)
        self.step_seconds = (seconds if self.step == 1
                             else 0.8 * self.step_seconds + 0.2 * seconds)
        ips = images / self.step_seconds if self.step_seconds > 0 else 0.0
        event = ProgressEvent(
            step=self.step, epoch=(self.step - 1) // steps_per_epoch,
            epoch_progress=self.step / steps_per_epoch, loss=loss, loss_avg=float(avg),
            batch_accuracy=accuracy, images_per_second=float(ips), lr=lr, seconds=self.seconds,
        )
        self.history.append(event)
        return event

    def record_test(self, event: ProgressEvent, accuracy: float, loss: float) -> None:
        """Attach a test-subset measurement to ``event`` and the test curve."""
        event.test_accuracy, event.test_loss = accuracy, loss
        self.test_history.append(TestPoint(event.step, event.epoch_progress, accuracy, loss))

    def columns(self) -> dict[str, list[float]]:
        """The history as columns, ready for a plot: train curves and the test curve."""
        h, t = self.history, self.test_history
        return {
            "step": [e.step for e in h],
            "epoch": [e.epoch_progress for e in h],
            "loss": [e.loss for e in h],
            "loss_avg": [e.loss_avg for e in h],
            "batch_accuracy": [e.batch_accuracy for e in h],
            "images_per_second": [e.images_per_second for e in h],
            "lr": [e.lr for e in h],
            "test_step": [p.step for p in t],
            "test_epoch": [p.epoch_progress for p in t],
            "test_accuracy": [p.accuracy for p in t],
            "test_loss": [p.loss for p in t],
        }
