"""The optimisers by name in both languages, and lesson 13's race on 2-D loss surfaces.

The keys are ``cnnviz.optim.OPTIMIZER_NAMES``. Proper names (SGD, Adam, ...) read the same
in both languages; "momentum" is a word and is translated, so a Chinese page shows no
English beyond the names.

The race: each optimiser is ``cnnviz.optim`` itself (``make_optimizer``) stepping a
two-element ``nn.Parameter`` (x, y); the surface only supplies the loss and its gradient,
written into ``p.grad`` as a network's backward would. No update rule is written twice: the
written-out step (``step_record``) reads the optimiser's own state before and after its step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cnnviz import optim
from cnnviz.content import entry
from cnnviz.i18n import Text
from cnnviz.lessons.quizzes import Question, same
from cnnviz.nn import Parameter

OPTIMISER_NAMES: dict[str, Text] = {
    "sgd": Text("SGD", "SGD"),
    "momentum": Text("SGD + momentum", "SGD + 动量"),
    "nesterov": Text("SGD + Nesterov momentum", "SGD + Nesterov 动量"),
    "adagrad": Text("AdaGrad", "AdaGrad"),
    "rmsprop": Text("RMSProp", "RMSProp"),
    "adadelta": Text("AdaDelta", "AdaDelta"),
    "adam": Text("Adam", "Adam"),
}

#: short names for a chart's legend
SHORT_NAMES: dict[str, Text] = {
    **OPTIMISER_NAMES,
    "momentum": Text("Momentum", "动量"),
    "nesterov": Text("Nesterov", "Nesterov"),
}

DIVERGED = 1e4  # |x| or |y| beyond this (or not finite): the run is stopped there

Grad = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _bowl(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x * x / 20 + y * y, np.stack([x / 10, 2 * y])


def _saddle(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return x * x + y ** 4 / 4 - y * y / 2, np.stack([2 * x, y ** 3 - y])


def _rosenbrock(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = y - x * x
    return (1 - x) ** 2 + 10 * r * r, np.stack([-2 * (1 - x) - 40 * x * r, 20 * r])


@dataclass(frozen=True)
class Surface:
    """A 2-D loss: its formula, where the race starts, the view, and each optimiser's rate.

    ``fn(x, y) -> (loss, gradient stacked (2, ...))`` works on arrays (the contour) and on
    the two numbers of the parameter. ``lrs`` are rates that let each optimiser show its
    character here in ~60 steps (PyTorch's defaults are tuned for networks, not these).
    """

    name: Text
    latex: str
    fn: Grad
    start: tuple[float, float]
    minimum: float  # the lowest loss (plots show loss − minimum on a log scale)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    lrs: dict[str, float] = field(default_factory=dict)


SURFACES: dict[str, Surface] = {
    "bowl": Surface(
        Text("Elongated bowl", "狭长的碗"), r"f(x, y) = \frac{x^2}{20} + y^2", _bowl,
        (-7.0, 2.0), 0.0, (-8.0, 2.0), (-2.5, 2.5),
        {"sgd": 0.95, "momentum": 0.1, "nesterov": 0.1, "adagrad": 1.5, "rmsprop": 0.1,
         "adadelta": 10.0, "adam": 0.3}),
    "saddle": Surface(
        Text("Saddle point", "鞍点"), r"f(x, y) = x^2 + \frac{y^4}{4} - \frac{y^2}{2}",
        _saddle, (-1.5, 0.001), -0.25, (-1.7, 1.0), (-0.6, 1.5),
        {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "rmsprop": 0.05,
         "adadelta": 10.0, "adam": 0.1}),
    "rosenbrock": Surface(
        Text("Rosenbrock's valley", "Rosenbrock 山谷"), r"f(x, y) = (1 - x)^2 + 10\,(y - x^2)^2",
        _rosenbrock, (-1.5, 2.0), 0.0, (-2.0, 2.0), (-1.0, 3.0),
        {"sgd": 0.01, "momentum": 0.005, "nesterov": 0.005, "adagrad": 0.5, "rmsprop": 0.05,
         "adadelta": 30.0, "adam": 0.1}),
}


def surface_grid(key: str, n: int = 80) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, loss on the grid) for the contour plot of a surface."""
    s = SURFACES[key]
    xs = np.linspace(*s.x_range, n)
    ys = np.linspace(*s.y_range, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, s.fn(gx, gy)[0]


def _set_grad(p: Parameter, fn: Grad) -> float:
    """Write the surface's gradient at ``p`` into ``p.grad`` (as backward would); the loss."""
    x, y = (float(v) for v in p.data)
    loss, g = fn(np.float64(x), np.float64(y))
    p.grad[...] = np.asarray(g, dtype=np.float32)
    return float(loss)


def make(key: str, p: Parameter, lr: float) -> optim.Optimizer:
    """The optimiser the lesson races: ``cnnviz.optim`` with PyTorch's settings (momentum 0.9)."""
    return optim.make_optimizer(key, [p], lr=lr)


@dataclass(frozen=True)
class Run:
    """One optimiser's path: positions (steps+1, 2), losses, its rate, where it stopped."""

    key: str
    lr: float
    path: np.ndarray
    loss: np.ndarray
    diverged_at: int | None  # the step after which it left the board (None: it did not)


def run(surface: str, key: str, steps: int, lr_scale: float = 1.0,
        lr: float | None = None) -> Run:
    """Race one optimiser ``steps`` steps from the surface's start (the engine's numbers);
    its rate is the surface's for it times ``lr_scale``, or ``lr`` when given."""
    s = SURFACES[surface]
    lr = s.lrs[key] * lr_scale if lr is None else float(lr)
    p = Parameter(np.array(s.start, dtype=np.float32))
    opt = make(key, p, lr)
    path, losses = [p.data.copy()], []
    diverged = None
    with np.errstate(all="ignore"):
        for t in range(steps):
            opt.zero_grad()
            losses.append(_set_grad(p, s.fn))
            opt.step()
            if not np.isfinite(p.data).all() or np.abs(p.data).max() > DIVERGED:
                diverged = t + 1
                break
            path.append(p.data.copy())
        if diverged is None:
            losses.append(float(s.fn(*(np.float64(v) for v in p.data))[0]))
    return Run(key, lr, np.array(path), np.array(losses), diverged)


def race(surface: str, steps: int, lr_scale: float = 1.0) -> dict[str, Run]:
    """Every optimiser of ``OPTIMIZER_NAMES`` on one surface, same start, same steps."""
    return {k: run(surface, k, steps, lr_scale) for k in optim.OPTIMIZER_NAMES}


@dataclass(frozen=True)
class StepRecord:
    """Step ``t`` of one optimiser as the engine did it: everything the rule writes out."""

    key: str
    t: int
    lr: float
    group: dict[str, object]  # the optimiser's hyper-parameters (momentum, betas, eps ...)
    theta: np.ndarray  # before the step
    grad: np.ndarray
    before: dict[str, np.ndarray]  # optimiser state before the step (empty at t = 1)
    after: dict[str, np.ndarray]  # and after it
    theta_new: np.ndarray


def _state(opt: optim.Optimizer, p: Parameter) -> dict[str, np.ndarray]:
    return {k: np.array(v, dtype=np.float32) for k, v in opt.state.get(id(p), {}).items()
            if isinstance(v, np.ndarray)}


def step_record(surface: str, key: str, t: int, lr_scale: float = 1.0) -> StepRecord | None:
    """Run to step ``t`` (1-based) and keep that step's numbers; None if it diverged first."""
    s = SURFACES[surface]
    lr = s.lrs[key] * lr_scale
    p = Parameter(np.array(s.start, dtype=np.float32))
    opt = make(key, p, lr)
    with np.errstate(all="ignore"):
        for _ in range(t - 1):
            opt.zero_grad()
            _set_grad(p, s.fn)
            opt.step()
        if not np.isfinite(p.data).all() or np.abs(p.data).max() > DIVERGED:
            return None
        opt.zero_grad()
        _set_grad(p, s.fn)
        theta, grad, before = p.data.copy(), p.grad.copy(), _state(opt, p)
        opt.step()
    group = {k: v for k, v in opt.param_groups[0].items() if k != "params"}
    return StepRecord(key, t, lr, group, theta, grad, before, _state(opt, p), p.data.copy())


def ranking(runs: dict[str, Run], surface: str) -> list[str]:
    """Optimisers from the lowest final loss to the highest (diverged ones last)."""
    floor = SURFACES[surface].minimum

    def final(k: str) -> float:
        r = runs[k]
        return float("inf") if r.diverged_at is not None else float(r.loss[-1]) - floor

    return sorted(runs, key=final)


# --------------------------------------------------------------------------- quizzes


def winner_question(runs: dict[str, Run], surface: str, steps: int) -> Question:
    """"Which optimiser is lowest after N steps here?" with the runner-up among the options."""
    order = ranking(runs, surface)
    picks = {order[0], order[1], order[len(order) // 2], order[-1]}
    options = [k for k in optim.OPTIMIZER_NAMES if k in picks]
    name = SURFACES[surface].name
    text = Text(f"After {steps} steps on “{name.en}”, which of these optimisers has "
                "the lowest loss?",
                f"在“{name.zh}”上走 {steps} 步之后，下面哪个优化器的损失最低？")
    return Question(text, [OPTIMISER_NAMES[k] for k in options], options.index(order[0]),
                    entry("optimisers", "winner_why"))


def sgd_step_question(surface: str, lr_scale: float = 1.0) -> Question:
    """SGD's first step by hand: x₁ = x₀ − η·∂f/∂x, from the engine's own step."""
    rec = step_record(surface, "sgd", 1, lr_scale)
    assert rec is not None  # one step from the start never leaves the board
    x0, gx, gy, lr = (float(v) for v in (rec.theta[0], rec.grad[0], rec.grad[1], rec.lr))
    right = round(float(rec.theta_new[0]), 3)
    wrong = [x0 + lr * gx, x0 - gx, x0 - lr * gy, x0]  # sign, no rate, other axis, no step
    values = sorted({right, *(round(w, 3) for w in wrong)})
    while len(values) < 4:
        values = sorted({*values, round(values[-1] + 0.5, 3)})
    text = Text(
        f"SGD starts at x = {x0:g} where ∂f/∂x = {gx:.4g}, with learning rate η = {lr:g}. "
        "What is x after the first step?",
        f"SGD 从 x = {x0:g} 出发，此处 ∂f/∂x = {gx:.4g}，学习率 η = {lr:g}。"
        "第一步之后 x 是多少？")
    return Question(text, [f"{v:g}" for v in values], values.index(right),
                    same(f"$x_1 = x_0 - \\eta\\,\\partial f/\\partial x = {x0:g} - {lr:g} "
                         f"\\times {gx:.4g} \\approx {right:g}$"))
