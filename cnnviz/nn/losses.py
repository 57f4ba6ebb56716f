"""Loss functions: call with (output, target) for the loss, then ``backward()`` for dL/doutput.

torch computes the gradient of a loss through autograd; here the loss module remembers
its inputs, and ``backward()`` (no argument needed: dL/dL = 1) starts the chain rule.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import functional as F
from ._layers_base import Module

__all__ = ["CrossEntropyLoss", "MSELoss"]

_REDUCTIONS = ("mean", "sum", "none")


def _reduced(value: np.ndarray, reduction: str) -> Any:
    return float(value) if reduction != "none" else value


class CrossEntropyLoss(Module):
    """Softmax + negative log-likelihood of integer labels, fused (no log(0), simple gradient).

    ``loss = loss_fn(logits, labels)`` is a Python float (``reduction="none"``: an array);
    ``loss_fn.backward()`` returns dL/dlogits = (softmax - one_hot) / N.
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction
        self._cache: Any = None

    def forward(self, logits: np.ndarray, target: np.ndarray) -> Any:
        loss, self._cache = F.cross_entropy_with_cache(logits, target, self.reduction)
        return _reduced(loss, self.reduction)

    def backward(self, dloss: Any = 1.0) -> np.ndarray:
        if self._cache is None:
            raise RuntimeError("CrossEntropyLoss.backward called before computing a loss")
        return F.cross_entropy_backward_from_cache(np.asarray(dloss, np.float32), self._cache)

    def extra_repr(self) -> str:
        return ""


class MSELoss(Module):
    """Mean squared error: mean((output - target)²); gradient 2(output - target)/N."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction
        self._diff: np.ndarray | None = None

    def forward(self, output: np.ndarray, target: np.ndarray) -> Any:
        output = np.asarray(output, dtype=np.float32)
        target = np.asarray(target, dtype=np.float32)
        if output.shape != target.shape:
            raise ValueError(f"MSELoss: output shape {output.shape} and target shape "
                             f"{target.shape} differ")
        self._diff = output - target
        sq = self._diff * self._diff
        if self.reduction == "mean":
            return float(sq.mean(dtype=np.float32))
        if self.reduction == "sum":
            return float(sq.sum(dtype=np.float32))
        return sq

    def backward(self, dloss: Any = 1.0) -> np.ndarray:
        if self._diff is None:
            raise RuntimeError("MSELoss.backward called before computing a loss")
        g = np.float32(2.0) * self._diff * np.asarray(dloss, dtype=np.float32)
        if self.reduction == "mean":
            g = g / np.float32(max(self._diff.size, 1))
        return g.astype(np.float32)
