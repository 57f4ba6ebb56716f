"""Each optimiser's update rule written out with the numbers of one step (LaTeX, no Streamlit).

The numbers are the engine's: the gradient written into ``p.grad``, the optimiser's state
before and after its step, and the new position (``optimisers.step_record``). The rules are
PyTorch's forms (``torch.optim`` documentation), which ``cnnviz.optim`` follows line by line;
squares, roots and divisions act on each coordinate. Shown to 4 significant digits, so an
answer is "≈" what a student gets from the printed numbers.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.lessons.optimisers import StepRecord


def num(v: float) -> str:
    """A number for a formula: 4 significant digits, powers of ten as ``\\times 10^{n}``."""
    v = float(v)
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return r"\infty" if v > 0 else r"-\infty"
    s = f"{v:.4g}"
    if "e" in s:
        mant, exp = s.split("e")
        return rf"{mant} \times 10^{{{int(exp)}}}" if mant != "1" else rf"10^{{{int(exp)}}}"
    return s


def vec(a: np.ndarray) -> str:
    """(x, y) of a two-element array."""
    return rf"\left({num(a[0])},\ {num(a[1])}\right)"


def _prev(rec: StepRecord, name: str) -> np.ndarray:
    return rec.before.get(name, np.zeros(2, dtype=np.float32))


def _theta(rec: StepRecord, rule: str, middle: str) -> str:
    return (rf"\theta_{{{rec.t}}} = \theta_{{{rec.t - 1}}} - {rule} = {vec(rec.theta)} - {middle}"
            rf" \approx {vec(rec.theta_new)}")


def _sgd(rec: StepRecord) -> list[str]:
    eta = num(rec.lr)
    lines = [rf"g_{{{rec.t}}} = \nabla f(\theta_{{{rec.t - 1}}}) = {vec(rec.grad)}"]
    mu = float(rec.group["momentum"])  # type: ignore[arg-type]
    if mu == 0:
        return lines + [_theta(rec, r"\eta\, g_t", rf"{eta} \cdot {vec(rec.grad)}")]
    b = rec.after["momentum_buffer"]
    if "momentum_buffer" in rec.before:
        lines.append(rf"b_{{{rec.t}}} = \mu\, b_{{{rec.t - 1}}} + g_{{{rec.t}}} = {num(mu)} \cdot "
                     rf"{vec(rec.before['momentum_buffer'])} + {vec(rec.grad)} \approx {vec(b)}")
    else:
        lines.append(rf"b_1 = g_1 = {vec(b)}")
    if rec.group["nesterov"]:
        return lines + [_theta(rec, r"\eta\,(g_t + \mu\, b_t)",
                               rf"{eta} \cdot \left({vec(rec.grad)} + {num(mu)} \cdot {vec(b)}"
                               r"\right)")]
    return lines + [_theta(rec, r"\eta\, b_t", rf"{eta} \cdot {vec(b)}")]


def _adagrad(rec: StepRecord) -> list[str]:
    s = rec.after["sum"]
    eps = num(float(rec.group["eps"]))  # type: ignore[arg-type]
    return [
        rf"g_{{{rec.t}}} = {vec(rec.grad)}",
        rf"s_{{{rec.t}}} = s_{{{rec.t - 1}}} + g_{{{rec.t}}}^2 = {vec(_prev(rec, 'sum'))} + "
        rf"{vec(rec.grad)}^2 \approx {vec(s)}",
        _theta(rec, r"\frac{\eta\, g_t}{\sqrt{s_t} + \epsilon}",
               rf"\frac{{{num(rec.lr)} \cdot {vec(rec.grad)}}}{{\sqrt{{{vec(s)}}} + {eps}}}"),
    ]


def _rmsprop(rec: StepRecord) -> list[str]:
    a = float(rec.group["alpha"])  # type: ignore[arg-type]
    s = rec.after["square_avg"]
    eps = num(float(rec.group["eps"]))  # type: ignore[arg-type]
    return [
        rf"g_{{{rec.t}}} = {vec(rec.grad)}",
        rf"s_{{{rec.t}}} = \alpha\, s_{{{rec.t - 1}}} + (1 - \alpha)\, g_{{{rec.t}}}^2 = "
        rf"{num(a)} \cdot {vec(_prev(rec, 'square_avg'))} + {num(1 - a)} \cdot "
        rf"{vec(rec.grad)}^2 \approx {vec(s)}",
        _theta(rec, r"\frac{\eta\, g_t}{\sqrt{s_t} + \epsilon}",
               rf"\frac{{{num(rec.lr)} \cdot {vec(rec.grad)}}}{{\sqrt{{{vec(s)}}} + {eps}}}"),
    ]


def _adadelta(rec: StepRecord) -> list[str]:
    rho = float(rec.group["rho"])  # type: ignore[arg-type]
    eps = num(float(rec.group["eps"]))  # type: ignore[arg-type]
    s, u = rec.after["square_avg"], rec.after["acc_delta"]
    u_prev = _prev(rec, "acc_delta")
    delta = (rec.theta.astype(np.float64) - rec.theta_new) / rec.lr
    t = rec.t
    return [
        rf"g_{{{t}}} = {vec(rec.grad)}",
        rf"s_{{{t}}} = \rho\, s_{{{t - 1}}} + (1 - \rho)\, g_{{{t}}}^2 = {num(rho)} \cdot "
        rf"{vec(_prev(rec, 'square_avg'))} + {num(1 - rho)} \cdot {vec(rec.grad)}^2 "
        rf"\approx {vec(s)}",
        rf"\Delta_{{{t}}} = \frac{{\sqrt{{u_{{{t - 1}}} + \epsilon}}}}{{\sqrt{{s_{{{t}}} + "
        rf"\epsilon}}}}\, g_{{{t}}} = \frac{{\sqrt{{{vec(u_prev)} + {eps}}}}}{{\sqrt{{{vec(s)} + "
        rf"{eps}}}}} \cdot {vec(rec.grad)} \approx {vec(delta)}",
        _theta(rec, r"\eta\, \Delta_t", rf"{num(rec.lr)} \cdot {vec(delta)}"),
        rf"u_{{{t}}} = \rho\, u_{{{t - 1}}} + (1 - \rho)\, \Delta_{{{t}}}^2 \approx {vec(u)}",
    ]


def _adam(rec: StepRecord) -> list[str]:
    b1, b2 = (float(b) for b in rec.group["betas"])  # type: ignore[union-attr]
    eps = num(float(rec.group["eps"]))  # type: ignore[arg-type]
    m, v = rec.after["exp_avg"], rec.after["exp_avg_sq"]
    t = rec.t
    return [
        rf"g_{{{t}}} = {vec(rec.grad)}",
        rf"m_{{{t}}} = \beta_1 m_{{{t - 1}}} + (1 - \beta_1)\, g_{{{t}}} = {num(b1)} \cdot "
        rf"{vec(_prev(rec, 'exp_avg'))} + {num(1 - b1)} \cdot {vec(rec.grad)} \approx {vec(m)}",
        rf"v_{{{t}}} = \beta_2 v_{{{t - 1}}} + (1 - \beta_2)\, g_{{{t}}}^2 = {num(b2)} \cdot "
        rf"{vec(_prev(rec, 'exp_avg_sq'))} + {num(1 - b2)} \cdot {vec(rec.grad)}^2 "
        rf"\approx {vec(v)}",
        _theta(rec, r"\frac{\eta}{1 - \beta_1^t}\,\frac{m_t}{\sqrt{v_t / (1 - \beta_2^t)} + "
               r"\epsilon}",
               rf"\frac{{{num(rec.lr)}}}{{1 - {num(b1)}^{{{t}}}}} \cdot \frac{{{vec(m)}}}"
               rf"{{\sqrt{{{vec(v)} / (1 - {num(b2)}^{{{t}}})}} + {eps}}}"),
    ]


_RULES = {"sgd": _sgd, "momentum": _sgd, "nesterov": _sgd, "adagrad": _adagrad,
          "rmsprop": _rmsprop, "adadelta": _adadelta, "adam": _adam}


def rule_lines(rec: StepRecord) -> list[str]:
    """The formulas of one step, one equation a line, numbers filled in."""
    return _RULES[rec.key](rec)


def general_rule(key: str) -> str:
    """The rule without numbers (the notes' form), one line."""
    return {
        "sgd": r"\theta_t = \theta_{t-1} - \eta\, g_t",
        "momentum": r"b_t = \mu\, b_{t-1} + g_t, \quad \theta_t = \theta_{t-1} - \eta\, b_t",
        "nesterov": r"b_t = \mu\, b_{t-1} + g_t, \quad "
                    r"\theta_t = \theta_{t-1} - \eta\,(g_t + \mu\, b_t)",
        "adagrad": r"s_t = s_{t-1} + g_t^2, \quad "
                   r"\theta_t = \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{s_t} + \epsilon}",
        "rmsprop": r"s_t = \alpha\, s_{t-1} + (1-\alpha)\, g_t^2, \quad "
                   r"\theta_t = \theta_{t-1} - \frac{\eta\, g_t}{\sqrt{s_t} + \epsilon}",
        "adadelta": r"\Delta_t = \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{s_t + \epsilon}}\, g_t,"
                    r" \quad \theta_t = \theta_{t-1} - \eta\, \Delta_t",
        "adam": r"m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad v_t = \beta_2 v_{t-1} + "
                r"(1-\beta_2) g_t^2, \quad \theta_t = \theta_{t-1} - \frac{\eta\, \hat m_t}"
                r"{\sqrt{\hat v_t} + \epsilon}",
    }[key]
