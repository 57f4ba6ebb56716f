"""Lesson 14: one SGD run at three learning rates, and the learning-rate schedules.

The runs are lesson 13's (``optimisers.run``: ``cnnviz.optim.SGD`` on the elongated bowl).
The schedules are ``cnnviz.optim``'s schedulers with PyTorch's names (``StepLR``,
``ExponentialLR``, ``PolynomialLR``, ``CosineAnnealingLR``, warm-up by ``LinearLR`` inside
``SequentialLR``), stepped on a real optimiser: every rate plotted or written out is the one
the scheduler set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import optim
from cnnviz.i18n import Text
from cnnviz.lessons.optimiser_rules import num
from cnnviz.lessons.optimisers import SURFACES, Run, run
from cnnviz.lessons.quizzes import Question, same
from cnnviz.nn import Parameter

SURFACE = "bowl"
RATE_KEYS = ("small", "right", "large")
RATE_WORDS = {"small": Text("too small", "太小"), "right": Text("about right", "合适"),
              "large": Text("too large", "太大")}
RATE_COLOURS = {"small": "#0072B2", "right": "#009E73", "large": "#D55E00"}
KINDS = ("fixed", "step", "exponential", "polynomial", "cosine")
KIND_NAMES = {"fixed": Text("Fixed", "固定"), "step": Text("Step", "阶梯"),
              "exponential": Text("Exponential", "指数"),
              "polynomial": Text("Polynomial", "多项式"), "cosine": Text("Cosine", "余弦")}
WARMUP_START = 0.1  # LinearLR's start_factor: warm-up from 10 % of the rate


def rate_runs(rates: dict[str, float], steps: int) -> dict[str, Run]:
    """SGD on the bowl at each rate (keys of ``RATE_KEYS``), same start, same steps."""
    return {k: run(SURFACE, "sgd", steps, lr=rates[k]) for k in RATE_KEYS}


def rate_names(rates: dict[str, float]) -> dict[str, Text]:
    """Legend names: "η = 0.1 (too small)"."""
    return {k: Text(f"η = {rates[k]:g} ({w.en})", f"η = {rates[k]:g}（{w.zh}）")
            for k, w in RATE_WORDS.items()}


def curvatures(h: float = 1e-3) -> np.ndarray:
    """Eigenvalues of the bowl's Hessian at its minimum, from its gradient (central differences)."""
    fn = SURFACES[SURFACE].fn
    cols = [(np.asarray(fn(*(h * e))[1]) - np.asarray(fn(*(-h * e))[1])) / (2 * h)
            for e in np.eye(2)]
    return np.sort(np.linalg.eigvalsh(np.stack(cols, axis=1)))


def stability_limit() -> float:
    """SGD on a quadratic diverges above η = 2 / (largest curvature)."""
    return float(2 / curvatures()[-1])


@dataclass(frozen=True)
class Schedule:
    """A schedule's settings, as the page's widgets give them."""

    kind: str
    base_lr: float = 0.1
    total: int = 100
    step_size: int = 30
    step_gamma: float = 0.5
    exp_gamma: float = 0.97
    power: float = 2.0
    warmup: int = 0  # warm-up steps (0: none)

    @property
    def horizon(self) -> int:
        """Steps the main schedule gets after the warm-up."""
        return max(1, self.total - self.warmup)


def _main(s: Schedule, opt: optim.Optimizer) -> optim.LRScheduler:
    sch = optim.lr_scheduler
    if s.kind == "fixed":
        return sch.ConstantLR(opt, factor=1.0, total_iters=0)
    if s.kind == "step":
        return sch.StepLR(opt, step_size=s.step_size, gamma=s.step_gamma)
    if s.kind == "exponential":
        return sch.ExponentialLR(opt, gamma=s.exp_gamma)
    if s.kind == "polynomial":
        return sch.PolynomialLR(opt, total_iters=s.horizon, power=s.power)
    if s.kind == "cosine":
        return sch.CosineAnnealingLR(opt, T_max=s.horizon, eta_min=0.0)
    raise ValueError(f"unknown schedule {s.kind!r}")


def scheduler(s: Schedule, opt: optim.Optimizer) -> optim.LRScheduler:
    """The engine's scheduler for these settings (warm-up: ``SequentialLR`` of ``LinearLR``)."""
    if not s.warmup:
        return _main(s, opt)
    warm = optim.lr_scheduler.LinearLR(opt, start_factor=WARMUP_START, total_iters=s.warmup)
    return optim.lr_scheduler.SequentialLR(opt, [warm, _main(s, opt)], milestones=[s.warmup])


def schedule_lrs(s: Schedule) -> np.ndarray:
    """The rate at steps 0 .. total, as the scheduler sets it (stepped after each SGD step)."""
    p = Parameter(np.zeros(1, dtype=np.float32))
    opt = optim.SGD([p], lr=s.base_lr)
    sch = scheduler(s, opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(s.total):
        opt.step()
        sch.step()
        lrs.append(opt.param_groups[0]["lr"])
    return np.array(lrs)


def all_schedules(s: Schedule) -> dict[str, np.ndarray]:
    """Every kind with the same settings (for the comparison plot)."""
    return {k: schedule_lrs(Schedule(k, s.base_lr, s.total, s.step_size, s.step_gamma,
                                     s.exp_gamma, s.power, s.warmup)) for k in KINDS}


# --------------------------------------------------------------------------- formulas

GENERAL = {
    "fixed": r"\eta_t = \eta_0",
    "step": r"\eta_t = \eta_0\, \gamma^{\lfloor t / s \rfloor}",
    "exponential": r"\eta_t = \eta_0\, \gamma^{t}",
    "polynomial": r"\eta_t = \eta_0 \left(1 - \frac{\min(t, T)}{T}\right)^{p}",
    "cosine": r"\eta_t = \eta_{\min} + (\eta_0 - \eta_{\min})\,"
              r"\frac{1 + \cos(\pi t / T)}{2}",
}
WARMUP_GENERAL = r"\eta_t = \eta_0 \left(f + (1 - f)\,\frac{t}{w}\right) \quad (t < w)"


def _main_filled(s: Schedule, tau: int, lr: float, t_sym: str) -> str:
    """The main schedule's formula at its own step ``tau`` (``t_sym`` names it)."""
    e0, T = num(s.base_lr), s.horizon
    if s.kind == "fixed":
        return rf"\eta_{{{t_sym}}} = \eta_0 = {e0}"
    if s.kind == "step":
        k = tau // s.step_size
        return (rf"\eta_{{{t_sym}}} = {e0} \cdot {num(s.step_gamma)}^{{\lfloor {tau} / "
                rf"{s.step_size} \rfloor}} = {e0} \cdot {num(s.step_gamma)}^{{{k}}} "
                rf"\approx {num(lr)}")
    if s.kind == "exponential":
        return rf"\eta_{{{t_sym}}} = {e0} \cdot {num(s.exp_gamma)}^{{{tau}}} \approx {num(lr)}"
    if s.kind == "polynomial":
        m = min(tau, T)
        return (rf"\eta_{{{t_sym}}} = {e0} \left(1 - \frac{{{m}}}{{{T}}}\right)^{{{num(s.power)}}}"
                rf" \approx {num(lr)}")
    return (rf"\eta_{{{t_sym}}} = 0 + ({e0} - 0)\,\frac{{1 + \cos(\pi \cdot {tau} / {T})}}{{2}}"
            rf" \approx {num(lr)}")


def filled_formula(s: Schedule, t: int, lr: float) -> list[str]:
    """The formula at step ``t`` with the numbers in; ``lr`` is the scheduler's own value."""
    if s.warmup and t < s.warmup:
        f = WARMUP_START
        return [rf"\eta_{{{t}}} = {num(s.base_lr)} \left({num(f)} + {num(1 - f)} \cdot "
                rf"\frac{{{t}}}{{{s.warmup}}}\right) \approx {num(lr)}"]
    if s.warmup:
        tau = t - s.warmup
        return [rf"\tau = t - w = {t} - {s.warmup} = {tau}, \quad T = {s.total} - {s.warmup}"
                rf" = {s.horizon}", _main_filled(s, tau, lr, str(t))]
    return [_main_filled(s, t, lr, str(t))]


# --------------------------------------------------------------------------- quizzes


def _sorted_options(right: float, wrong: list[float], digits: int = 4) -> tuple[list[str], int]:
    """At least four distinct numbers, sorted, as printed (4 significant digits)."""
    def key(v: float) -> float:
        return float(f"{v:.{digits}g}")

    values = sorted({key(right), *(key(w) for w in wrong if np.isfinite(w))})
    step = abs(key(right)) or 0.1
    while len(values) < 4:
        values = sorted({*values, key(values[-1] + step / 2)})
    return [f"{v:g}" for v in values], values.index(key(right))


def rate_question(s: Schedule, t: int, lrs: np.ndarray) -> Question:
    """"What rate does this schedule set at step t?" from the scheduler's own value."""
    right = float(lrs[t])
    wrong = [s.base_lr, float(lrs[min(t + 10, s.total)]), float(lrs[max(t - 10, 0)]),
             right * 2, right / 2]
    options, correct = _sorted_options(right, wrong)
    name = KIND_NAMES[s.kind]
    warm = (Text(f", after {s.warmup} warm-up steps", f"，先预热 {s.warmup} 步")
            if s.warmup else Text("", ""))
    text = Text(f"The {name.en.lower()} schedule with η₀ = {s.base_lr:g}{warm.en}: what is the "
                f"learning rate at step {t}?",
                f"{name.zh}调度，η₀ = {s.base_lr:g}{warm.zh}：第 {t} 步的学习率是多少？")
    lr = float(lrs[t])
    return Question(text, options, correct, same(f"${filled_formula(s, t, lr)[-1]}$"))


def growth_question(runs: dict[str, Run], rate: float) -> Question:
    """SGD on y² multiplies y by (1 − 2η) a step: after 5 steps, by how much? (engine's run)"""
    r = runs["large"]
    steps = min(5, len(r.path) - 1)
    y0, y5 = float(r.path[0][1]), float(r.path[steps][1])
    right = y5 / y0
    factor = 1 - 2 * rate
    wrong = [factor, -right, abs(factor) ** (steps - 1), 1 - 2 * rate * steps]
    options, correct = _sorted_options(right, wrong, 3)
    text = Text(f"Across the bowl the loss is y², so each SGD step with η = {rate:g} multiplies "
                f"y by 1 − 2η = {factor:g}. After {steps} steps, y is multiplied by about?",
                f"碗的横向损失是 y²，所以学习率 η = {rate:g} 的每一步 SGD 把 y 乘以 "
                f"1 − 2η = {factor:g}。{steps} 步之后 y 大约被乘以多少？")
    expl = same(f"$({num(factor)})^{{{steps}}} \\approx {num(right)}$")
    return Question(text, options, correct, expl)
