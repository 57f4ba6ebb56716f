"""The divergence guard: keep the last good weights, stop a run whose loss or weights blow up,
and say why in both languages with what to try next (ConvNetJS's users asked why the loss
became NaN; here the run stops with the answer instead)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cnnviz import nn, optim
from cnnviz.i18n import Text
from cnnviz.weights import MAX_ABS

__all__ = ["DivergenceGuard", "StopReason", "diverged"]

MAX_LOSS = 1e4  # a cross-entropy this large on MNIST means the optimisation has diverged


@dataclass
class StopReason:
    """Why training stopped early, in English and 简体中文, with what to try next."""

    code: str
    message: Text
    suggestion: Text
    step: int = 0

    def text(self, lang: str = "en") -> str:
        """Message and suggestion in ``lang``."""
        return (self.message + Text(" ", " ") + self.suggestion).get(lang)


def diverged(step: int, what: str, lr: float, optimizer: str) -> StopReason:
    """The StopReason for a loss or weights (``what``) that became too large at ``step``."""
    usual = optim.DEFAULT_LR.get(optimizer.lower(), 1e-3)
    try_lr = usual if lr > 10 * usual else lr / 10
    return StopReason(
        code="diverged",
        message=Text(
            f"Training stopped at step {step}: the {what} became too large "
            f"(the optimisation diverged). The last good weights were restored.",
            f"训练在第 {step} 步停止：{ {'loss': '损失', 'weights': '权重'}[what] }"
            f"变得过大（优化发散）。已恢复最后一组正常的权重。"),
        suggestion=Text(
            f"Lower the learning rate (try {try_lr:g}) or pick a gentler optimiser, "
            "then start again.",
            f"请降低学习率（例如 {try_lr:g}）或换一个更稳的优化器，然后重新开始。"),
        step=step,
    )


class DivergenceGuard:
    """Copies of the model's last good weights in preallocated buffers (cheap next to a step)."""

    def __init__(self, model: nn.Module) -> None:
        self.model = model
        self._good = {k: np.array(v, copy=True) for k, v in model.state_dict().items()}

    def _live_arrays(self) -> list[tuple[str, np.ndarray]]:
        """The model's parameter and buffer arrays themselves (not copies, unlike state_dict)."""
        arrays = [(k, p.data) for k, p in self.model.named_parameters()]
        return arrays + [(k, b) for k, b in self.model.named_buffers()
                         if k in self._good and b is not None]

    def snapshot(self) -> None:
        """These weights are good: remember them."""
        for k, v in self._live_arrays():
            np.copyto(self._good[k], v)

    def restore(self) -> None:
        """Put the last good weights back."""
        self.model.load_state_dict({k: v.copy() for k, v in self._good.items()})

    @staticmethod
    def loss_ok(loss: float) -> bool:
        return math.isfinite(loss) and loss <= MAX_LOSS

    def weights_ok(self) -> bool:
        """Finite and below ``MAX_ABS``: a weight this large means the optimiser is blowing up
        even while the loss is still finite (and would be refused as a weights file)."""
        total = 0.0
        for p in self.model.parameters():
            m = float(np.abs(p.data).max()) if p.data.size else 0.0
            total = max(total, m)
        return math.isfinite(total) and total < MAX_ABS
