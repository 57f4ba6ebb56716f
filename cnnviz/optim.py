"""Optimisers and learning-rate schedules with PyTorch's names and update rules.

Each optimiser follows the single-tensor code path of ``torch.optim`` line by line
(same order of operations, same handling of weight decay, same first-step rules), so a
learner who compares a run here with a run in PyTorch sees the same numbers. Updates
are whole-array NumPy in place on ``p.data`` (float32); ``p.grad`` is read, never changed.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = [
    "Optimizer", "SGD", "Adagrad", "RMSprop", "Adadelta", "Adam",
    "LRScheduler", "ConstantLR", "StepLR", "ExponentialLR", "PolynomialLR",
    "CosineAnnealingLR", "LinearLR", "SequentialLR", "lr_scheduler", "OPTIMIZER_NAMES",
    "SCHEDULER_NAMES",
    "DEFAULT_LR", "make_optimizer", "make_scheduler",
]


class Optimizer:
    """Base class: ``param_groups`` (dicts with "params", "lr", ...) and per-parameter state."""

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        groups = params if isinstance(params[0], dict) else [{"params": params}]
        self.param_groups: list[dict[str, Any]] = []
        for group in groups:
            full = dict(self.defaults)
            full.update(group)
            full["params"] = list(group["params"])
            self.param_groups.append(full)
        # keyed by id(p): Parameters are plain objects, not hashable by value
        self.state: dict[int, dict[str, Any]] = {}

    def _params(self) -> list[Any]:
        return [p for g in self.param_groups for p in g["params"]]

    def zero_grad(self) -> None:
        """Reset every gradient to zeros (the engine accumulates, as PyTorch does)."""
        for p in self._params():
            if getattr(p, "grad", None) is not None:
                p.grad[...] = 0.0

    def step(self) -> None:
        """Apply one update to every parameter of every group."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = getattr(p, "grad", None)
                if grad is None:
                    continue
                state = self.state.setdefault(id(p), {})
                self._update(p, np.asarray(grad, dtype=np.float32), state, group)

    def _update(self, p: Any, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout: parameters named by their index across groups."""
        index = {id(p): i for i, p in enumerate(self._params())}
        state = {index[k]: {n: (v.copy() if isinstance(v, np.ndarray) else v)
                            for n, v in s.items()}
                 for k, s in self.state.items() if k in index}
        groups = []
        for g in self.param_groups:
            d = {k: v for k, v in g.items() if k != "params"}
            d["params"] = [index[id(p)] for p in g["params"]]
            groups.append(d)
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by :meth:`state_dict` (same parameters)."""
        params = self._params()
        groups = state_dict["param_groups"]
        if len(groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, saved in zip(self.param_groups, groups):
            if len(g["params"]) != len(saved["params"]):
                raise ValueError("loaded state dict has groups of a different size")
            g.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {id(params[int(i)]): {n: (np.array(v, dtype=np.float32, copy=True)
                                               if isinstance(v, np.ndarray) else v)
                                           for n, v in s.items()}
                      for i, s in state_dict["state"].items()}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, g in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for k in sorted(g):
                if k != "params":
                    lines.append(f"    {k}: {g[k]}")
        lines.append(")")
        return "\n".join(lines)


def _with_weight_decay(p: Any, grad: np.ndarray, weight_decay: float) -> np.ndarray:
    # torch: grad = grad.add(param, alpha=weight_decay) -- a new array, p.grad untouched
    if weight_decay != 0:
        return grad + p.data * np.float32(weight_decay)
    return grad


class SGD(Optimizer):
    """Stochastic gradient descent with optional (Nesterov) momentum, as ``torch.optim.SGD``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0,
                 nesterov: bool = False) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError("lr, momentum and weight_decay must be non-negative")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov})

    def _update(self, p, grad, state, group):
        grad = _with_weight_decay(p, grad, group["weight_decay"])
        momentum = group["momentum"]
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                # torch's first step copies the gradient into the buffer (no dampening)
                buf = grad.astype(np.float32, copy=True)
                state["momentum_buffer"] = buf
            else:
                buf *= np.float32(momentum)
                buf += grad * np.float32(1 - group["dampening"])
            grad = grad + buf * np.float32(momentum) if group["nesterov"] else buf
        p.data -= grad * np.float32(group["lr"])


class Adagrad(Optimizer):
    """Per-coordinate rates from the sum of squared gradients, as ``torch.optim.Adagrad``."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10) -> None:
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps})

    def _update(self, p, grad, state, group):
        if "sum" not in state:
            state["step"] = 0
            state["sum"] = np.full(p.data.shape, group["initial_accumulator_value"],
                                   dtype=np.float32)
        state["step"] += 1
        grad = _with_weight_decay(p, grad, group["weight_decay"])
        clr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        state["sum"] += grad * grad
        std = np.sqrt(state["sum"]) + np.float32(group["eps"])
        p.data -= np.float32(clr) * (grad / std)


class RMSprop(Optimizer):
    """Divide by a running RMS of the gradient, as ``torch.optim.RMSprop`` (eps outside sqrt)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False) -> None:
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps,
                                  "weight_decay": weight_decay, "momentum": momentum,
                                  "centered": centered})

    def _update(self, p, grad, state, group):
        if "square_avg" not in state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data, dtype=np.float32)
            if group["momentum"] > 0:
                state["momentum_buffer"] = np.zeros_like(p.data, dtype=np.float32)
            if group["centered"]:
                state["grad_avg"] = np.zeros_like(p.data, dtype=np.float32)
        state["step"] += 1
        grad = _with_weight_decay(p, grad, group["weight_decay"])
        alpha = group["alpha"]
        sq = state["square_avg"]
        sq *= np.float32(alpha)
        sq += np.float32(1 - alpha) * grad * grad
        if group["centered"]:
            ga = state["grad_avg"]
            ga += np.float32(1 - alpha) * (grad - ga)  # lerp_(grad, 1 - alpha)
            avg = np.sqrt(sq - ga * ga)
        else:
            avg = np.sqrt(sq)
        avg += np.float32(group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf *= np.float32(group["momentum"])
            buf += grad / avg
            p.data -= np.float32(group["lr"]) * buf
        else:
            p.data -= np.float32(group["lr"]) * (grad / avg)


class Adadelta(Optimizer):
    """Running averages of squared gradients and of updates, as ``torch.optim.Adadelta``."""

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0.0) -> None:
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps,
                                  "weight_decay": weight_decay})

    def _update(self, p, grad, state, group):
        if "square_avg" not in state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(p.data, dtype=np.float32)
            state["acc_delta"] = np.zeros_like(p.data, dtype=np.float32)
        state["step"] += 1
        grad = _with_weight_decay(p, grad, group["weight_decay"])
        rho, eps = group["rho"], np.float32(group["eps"])
        sq, acc = state["square_avg"], state["acc_delta"]
        sq *= np.float32(rho)
        sq += np.float32(1 - rho) * grad * grad
        std = np.sqrt(sq + eps)
        delta = np.sqrt(acc + eps) / std * grad
        acc *= np.float32(rho)
        acc += np.float32(1 - rho) * delta * delta
        p.data -= np.float32(group["lr"]) * delta


class Adam(Optimizer):
    """Bias-corrected first and second moments, as ``torch.optim.Adam`` (L2 decay, amsgrad)."""

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False) -> None:
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad})

    def _update(self, p, grad, state, group):
        if "exp_avg" not in state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(p.data, dtype=np.float32)
            state["exp_avg_sq"] = np.zeros_like(p.data, dtype=np.float32)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = np.zeros_like(p.data, dtype=np.float32)
        state["step"] += 1
        step = state["step"]
        grad = _with_weight_decay(p, grad, group["weight_decay"])
        beta1, beta2 = group["betas"]
        m, v = state["exp_avg"], state["exp_avg_sq"]
        m += np.float32(1 - beta1) * (grad - m)  # lerp_(grad, 1 - beta1)
        v *= np.float32(beta2)
        v += np.float32(1 - beta2) * grad * grad
        step_size = group["lr"] / (1 - beta1 ** step)
        bc2_sqrt = (1 - beta2 ** step) ** 0.5
        if group["amsgrad"]:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        denom = np.sqrt(v) / np.float32(bc2_sqrt) + np.float32(group["eps"])
        p.data -= np.float32(step_size) * (m / denom)


# --------------------------------------------------------------------------- schedulers


class LRScheduler:
    """Sets every group's "lr" from a closed form of the step count (torch's ``LRScheduler``).

    Constructing a scheduler performs torch's initial step: ``last_epoch`` becomes 0 and the
    learning rate is set for step 0. Call :meth:`step` after each ``optimizer.step()``.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        self.optimizer = optimizer
        for g in optimizer.param_groups:
            g.setdefault("initial_lr", g["lr"])
        self.base_lrs = [g["initial_lr"] for g in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._last_lr: list[float] = []
        self.step()

    def lr_at(self, epoch: int) -> list[float]:  # pragma: no cover - abstract
        """Learning rate of each group after ``epoch`` scheduler steps."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step and write the new learning rate into the optimiser."""
        self.last_epoch += 1
        lrs = self.lr_at(self.last_epoch)
        for g, lr in zip(self.optimizer.param_groups, lrs):
            g["lr"] = float(lr)
        self._last_lr = [float(lr) for lr in lrs]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last :meth:`step`, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Everything but the optimiser, as torch does."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the step count and base rates."""
        self.__dict__.update(state_dict)


class ConstantLR(LRScheduler):
    """``base_lr * factor`` for the first ``total_iters`` steps, then ``base_lr``, as torch."""

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:
        if not 0 <= factor <= 1:
            raise ValueError("factor must be between 0 and 1")
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> list[float]:
        f = self.factor if epoch < self.total_iters else 1.0
        return [b * f for b in self.base_lrs]


class StepLR(LRScheduler):
    """Multiply by ``gamma`` every ``step_size`` steps: ``base * gamma**(t // step_size)``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.step_size, self.gamma = int(step_size), gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> list[float]:
        return [b * self.gamma ** (epoch // self.step_size) for b in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply by ``gamma`` every step: ``base * gamma**t``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> list[float]:
        return [b * self.gamma ** epoch for b in self.base_lrs]


class PolynomialLR(LRScheduler):
    """Decay to zero over ``total_iters``: ``base * (1 - min(t, T) / T)**power``."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:
        self.total_iters, self.power = int(total_iters), power
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> list[float]:
        frac = 1.0 - min(self.total_iters, epoch) / self.total_iters
        return [b * frac ** self.power for b in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from base to ``eta_min`` over ``T_max`` steps (SGDR without restarts)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:
        self.T_max, self.eta_min = int(T_max), eta_min
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> list[float]:
        c = (1 + math.cos(math.pi * epoch / self.T_max)) / 2
        return [self.eta_min + (b - self.eta_min) * c for b in self.base_lrs]


class LinearLR(LRScheduler):
    """Factor from ``start_factor`` to ``end_factor`` linearly over ``total_iters`` steps, then
    kept: ``base * (start + (end - start) * min(t, T) / T)`` (a warm-up), as torch."""

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5, last_epoch: int = -1) -> None:
        if not 0 < start_factor <= 1:
            raise ValueError("start_factor must be in (0, 1]")
        if not 0 <= end_factor <= 1:
            raise ValueError("end_factor must be in [0, 1]")
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = int(total_iters)
        super().__init__(optimizer, last_epoch)

    def lr_at(self, epoch: int) -> list[float]:
        done = min(self.total_iters, epoch) / self.total_iters if self.total_iters else 1.0
        f = self.start_factor + (self.end_factor - self.start_factor) * done
        return [b * f for b in self.base_lrs]


class SequentialLR(LRScheduler):
    """One schedule after another: ``schedulers[i]`` from ``milestones[i - 1]`` on, each
    restarted at its own step 0 there (torch's ``SequentialLR``, e.g. warm-up then cosine)."""

    def __init__(self, optimizer: Optimizer, schedulers: list[LRScheduler],
                 milestones: list[int], last_epoch: int = -1) -> None:
        if not schedulers:
            raise ValueError("SequentialLR expects at least one scheduler")
        if any(sch.optimizer is not optimizer for sch in schedulers):
            raise ValueError("SequentialLR expects all schedulers to belong to the same optimizer")
        if len(milestones) != len(schedulers) - 1:
            raise ValueError("SequentialLR expects one milestone fewer than schedulers")
        self._schedulers, self._milestones = list(schedulers), [int(m) for m in milestones]
        for g in optimizer.param_groups:  # undo the schedulers' own initial steps
            g["lr"] = g["initial_lr"]
        super().__init__(optimizer, last_epoch)

    def _active(self, epoch: int) -> tuple[LRScheduler, int]:
        idx = bisect.bisect_right(self._milestones, epoch)
        start = self._milestones[idx - 1] if idx > 0 else 0
        return self._schedulers[idx], epoch - start

    def lr_at(self, epoch: int) -> list[float]:
        sch, local = self._active(epoch)
        return sch.lr_at(local)

    def step(self) -> None:
        super().step()
        sch, local = self._active(self.last_epoch)
        sch.last_epoch = local
        sch._last_lr = list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Its own state and each scheduler's, as torch does."""
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [sch.state_dict() for sch in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore its own state and each scheduler's."""
        state = dict(state_dict)
        for sch, saved in zip(self._schedulers, state.pop("_schedulers")):
            sch.load_state_dict(saved)
        self.__dict__.update(state)


class _SchedulerNamespace:
    """``optim.lr_scheduler.StepLR`` etc., so code reads as it would with torch."""

    LRScheduler = LRScheduler
    ConstantLR = ConstantLR
    StepLR = StepLR
    ExponentialLR = ExponentialLR
    PolynomialLR = PolynomialLR
    CosineAnnealingLR = CosineAnnealingLR
    LinearLR = LinearLR
    SequentialLR = SequentialLR


lr_scheduler = _SchedulerNamespace()

# --------------------------------------------------------------------------- factories

OPTIMIZER_NAMES: tuple[str, ...] = (
    "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam")
SCHEDULER_NAMES: tuple[str, ...] = ("constant", "step", "exponential", "polynomial", "cosine")

#: learning rates that train the MNIST models well with each optimiser
DEFAULT_LR: dict[str, float] = {
    "sgd": 0.1, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.01,
    "rmsprop": 0.001, "adadelta": 1.0, "adam": 0.001,
}


def make_optimizer(name: str, params: Iterable[Any], lr: float | None = None,
                   **hyper: Any) -> Optimizer:
    """Build an optimiser from a page's choice; ``lr=None`` uses :data:`DEFAULT_LR`."""
    key = name.lower()
    if key not in OPTIMIZER_NAMES:
        raise ValueError(f"unknown optimizer {name!r}; choose from {', '.join(OPTIMIZER_NAMES)}")
    lr = DEFAULT_LR[key] if lr is None else float(lr)
    if key == "sgd":
        return SGD(params, lr=lr, **hyper)
    if key == "momentum":
        return SGD(params, lr=lr, **{"momentum": 0.9, **hyper})
    if key == "nesterov":
        return SGD(params, lr=lr, **{"momentum": 0.9, "nesterov": True, **hyper})
    cls = {"adagrad": Adagrad, "rmsprop": RMSprop, "adadelta": Adadelta, "adam": Adam}[key]
    return cls(params, lr=lr, **hyper)


def make_scheduler(name: str, optimizer: Optimizer, total_steps: int) -> LRScheduler:
    """A schedule for a run of ``total_steps`` optimiser steps, stepped once per step.

    step: ×0.1 at 1/3 and 2/3 of the run; exponential: down to 1 % at the end;
    polynomial: linear to zero; cosine: half a cosine to zero.
    """
    key = name.lower()
    total = max(1, int(total_steps))
    if key == "constant":
        return ConstantLR(optimizer, factor=1.0, total_iters=0)
    if key == "step":
        return StepLR(optimizer, step_size=max(1, math.ceil(total / 3)), gamma=0.1)
    if key == "exponential":
        return ExponentialLR(optimizer, gamma=0.01 ** (1.0 / total))
    if key == "polynomial":
        return PolynomialLR(optimizer, total_iters=total, power=1.0)
    if key == "cosine":
        return CosineAnnealingLR(optimizer, T_max=total, eta_min=0.0)
    raise ValueError(f"unknown schedule {name!r}; choose from {', '.join(SCHEDULER_NAMES)}")
