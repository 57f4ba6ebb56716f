"""Steering a run while it trains (as ConvNetJS allows): learning rate, momentum, weight decay.

A change edits the optimiser's parameter groups in place, so its state (momentum buffers,
Adam's averages) carries on, and is recorded as a ``Change`` that the curves mark. The
learning rate the learner sets is the schedule's base rate: with a schedule on, the rate used
is the new base times the schedule's factor at this step (so a schedule keeps its shape).
"Momentum" is SGD's momentum and Adam's β₁ (the decay of its gradient average, the same job).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["STEERABLE", "Change", "apply_change", "steerable", "steer_value"]

STEERABLE = ("lr", "momentum", "weight_decay")


@dataclass(frozen=True)
class Change:
    """One setting changed during a run; it applies from step ``step + 1`` on."""

    step: int  # steps done when the change was made
    name: str  # "lr" | "momentum" | "weight_decay"
    old: float
    new: float


def _group(optimizer: Any) -> dict[str, Any]:
    return optimizer.param_groups[0]


def steerable(optimizer: Any) -> tuple[str, ...]:
    """Which of ``STEERABLE`` this optimiser has (RMSprop's momentum buffer is made at the
    start only when its momentum is on, so it is not offered there)."""
    g = _group(optimizer)
    names = ["lr"]
    if "betas" in g or ("momentum" in g and "nesterov" in g):
        names.append("momentum")
    if "weight_decay" in g:
        names.append("weight_decay")
    return tuple(names)


def steer_value(optimizer: Any, scheduler: Any, name: str) -> float:
    """The current setting: the base learning rate (before the schedule), momentum or β₁,
    weight decay."""
    g = _group(optimizer)
    if name == "lr":
        return float(scheduler.base_lrs[0])
    if name == "momentum":
        return float(g["betas"][0] if "betas" in g else g["momentum"])
    if name == "weight_decay":
        return float(g["weight_decay"])
    raise ValueError(f"cannot steer {name!r}; choose from {', '.join(STEERABLE)}")


def apply_change(optimizer: Any, scheduler: Any, name: str, value: float) -> None:
    """Set ``name`` to ``value`` in every parameter group (ValueError if out of range)."""
    value = float(value)
    if name not in steerable(optimizer):
        raise ValueError(f"{type(optimizer).__name__} has no {name} to steer")
    if not value >= 0 or (name == "momentum" and value >= 1):
        raise ValueError(f"{name} must be in [0, {'1)' if name == 'momentum' else '∞)'}")
    for g in optimizer.param_groups:
        if name == "momentum":
            if "betas" in g:
                g["betas"] = (value, g["betas"][1])
            elif g.get("nesterov") and value == 0:
                raise ValueError("Nesterov momentum must stay above 0")
            else:
                g["momentum"] = value
        elif name == "weight_decay":
            g["weight_decay"] = value
    if name == "lr":
        scheduler.base_lrs = [value] * len(optimizer.param_groups)
        for g, lr in zip(optimizer.param_groups, scheduler.lr_at(scheduler.last_epoch),
                         strict=True):
            g["initial_lr"] = value
            g["lr"] = float(lr)
