"""Each optimiser's update rule written out with the numbers of one step (LaTeX, no Streamlit).

The numbers are the engine's: the gradient written into ``p.grad``, the optimiser's state
before and after its step, and the new position (``optimisers.step_record``). The rules are
PyTorch's forms (``torch.optim`` documentation), which ``cnnviz.optim`` follows line by line;
squares, roots and divisions act on each coordinate, so a step is written out for x or for y.
Shown to 4 significant digits, so an answer is "≈" what a student gets from the printed
numbers.
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


def p(v: float) -> str:
    """A number as a factor: negative ones in parentheses."""
    text = num(v)
    return rf"\left({text}\right)" if float(v) < 0 else text


def _prev(rec: StepRecord, name: str, i: int) -> float:
    return float(rec.before.get(name, np.zeros(2, dtype=np.float32))[i])


def _theta(rec: StepRecord, i: int, rule: str, middle: str) -> str:
    c, t = "xy"[i], rec.t
    return (rf"{c}_{{{t}}} = {c}_{{{t - 1}}} - {rule} = {num(rec.theta[i])} - {middle}"
            rf" \approx {num(rec.theta_new[i])}")


def _sgd(rec: StepRecord, i: int) -> list[str]:
    c, t, eta, g = "xy"[i], rec.t, num(rec.lr), float(rec.grad[i])
    mu = float(rec.group["momentum"])  # type: ignore[arg-type]
    if mu == 0:
        return [_theta(rec, i, rf"\eta\, g^{c}_{{{t}}}", rf"{eta} \cdot {p(g)}")]
    b = float(rec.after["momentum_buffer"][i])
    if "momentum_buffer" in rec.before:
        lines = [rf"b^{c}_{{{t}}} = \mu\, b^{c}_{{{t - 1}}} + g^{c}_{{{t}}} = {num(mu)} \cdot "
                 rf"{p(_prev(rec, 'momentum_buffer', i))} + {p(g)} \approx {num(b)}"]
    else:
        lines = [rf"b^{c}_1 = g^{c}_1 = {num(b)}"]
    if rec.group["nesterov"]:
        return lines + [_theta(rec, i, rf"\eta\,(g^{c}_{{{t}}} + \mu\, b^{c}_{{{t}}})",
                               rf"{eta} \cdot \left({num(g)} + {num(mu)} \cdot {p(b)}\right)")]
    return lines + [_theta(rec, i, rf"\eta\, b^{c}_{{{t}}}", rf"{eta} \cdot {p(b)}")]


def _divide(rec: StepRecord, i: int, state: str) -> list[str]:
    """AdaGrad and RMSProp: the same step, divided by the root of their own ``s``."""
    c, t, g = "xy"[i], rec.t, float(rec.grad[i])
    s = float(rec.after[state][i])
    eps = num(float(rec.group["eps"]))  # type: ignore[arg-type]
    if state == "sum":
        first = (rf"s^{c}_{{{t}}} = s^{c}_{{{t - 1}}} + (g^{c}_{{{t}}})^2 = "
                 rf"{num(_prev(rec, state, i))} + {p(g)}^2 \approx {num(s)}")
    else:
        a = float(rec.group["alpha"])  # type: ignore[arg-type]
        first = (rf"s^{c}_{{{t}}} = \alpha\, s^{c}_{{{t - 1}}} + (1 - \alpha)(g^{c}_{{{t}}})^2 = "
                 rf"{num(a)} \cdot {p(_prev(rec, state, i))} + {num(1 - a)} \cdot {p(g)}^2 "
                 rf"\approx {num(s)}")
    rule = rf"\frac{{\eta\, g^{c}_{{{t}}}}}{{\sqrt{{s^{c}_{{{t}}}}} + \epsilon}}"
    middle = rf"\frac{{{num(rec.lr)} \cdot {p(g)}}}{{\sqrt{{{num(s)}}} + {eps}}}"
    return [first, _theta(rec, i, rule, middle)]


def _adagrad(rec: StepRecord, i: int) -> list[str]:
    return _divide(rec, i, "sum")


def _rmsprop(rec: StepRecord, i: int) -> list[str]:
    return _divide(rec, i, "square_avg")


def _adadelta(rec: StepRecord, i: int) -> list[str]:
    c, t, g = "xy"[i], rec.t, float(rec.grad[i])
    rho = float(rec.group["rho"])  # type: ignore[arg-type]
    eps = num(float(rec.group["eps"]))  # type: ignore[arg-type]
    s, u = float(rec.after["square_avg"][i]), float(rec.after["acc_delta"][i])
    d = (float(rec.theta[i]) - float(rec.theta_new[i])) / rec.lr
    return [
        rf"s^{c}_{{{t}}} = \rho\, s^{c}_{{{t - 1}}} + (1 - \rho)(g^{c}_{{{t}}})^2 = {num(rho)} "
        rf"\cdot {p(_prev(rec, 'square_avg', i))} + {num(1 - rho)} \cdot {p(g)}^2 \approx {num(s)}",
        rf"\Delta^{c}_{{{t}}} = \frac{{\sqrt{{u^{c}_{{{t - 1}}} + \epsilon}}}}"
        rf"{{\sqrt{{s^{c}_{{{t}}} + \epsilon}}}}\, g^{c}_{{{t}}} = \frac{{\sqrt{{"
        rf"{num(_prev(rec, 'acc_delta', i))} + {eps}}}}}{{\sqrt{{{num(s)} + {eps}}}}} \cdot {p(g)}"
        rf" \approx {num(d)}",
        rf"u^{c}_{{{t}}} = \rho\, u^{c}_{{{t - 1}}} + (1 - \rho)(\Delta^{c}_{{{t}}})^2 = {num(rho)}"
        rf" \cdot {p(_prev(rec, 'acc_delta', i))} + {num(1 - rho)} \cdot {p(d)}^2 \approx {num(u)}",
        _theta(rec, i, rf"\eta\, \Delta^{c}_{{{t}}}", rf"{num(rec.lr)} \cdot {p(d)}"),
    ]


def _adam(rec: StepRecord, i: int) -> list[str]:
    c, t, g = "xy"[i], rec.t, float(rec.grad[i])
    b1, b2 = (float(b) for b in rec.group["betas"])  # type: ignore[union-attr]
    eps = num(float(rec.group["eps"]))  # type: ignore[arg-type]
    m, v = float(rec.after["exp_avg"][i]), float(rec.after["exp_avg_sq"][i])
    mh, vh = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return [
        rf"m^{c}_{{{t}}} = \beta_1 m^{c}_{{{t - 1}}} + (1 - \beta_1)\, g^{c}_{{{t}}} = {num(b1)} "
        rf"\cdot {p(_prev(rec, 'exp_avg', i))} + {num(1 - b1)} \cdot {p(g)} \approx {num(m)}",
        rf"v^{c}_{{{t}}} = \beta_2 v^{c}_{{{t - 1}}} + (1 - \beta_2)(g^{c}_{{{t}}})^2 = {num(b2)} "
        rf"\cdot {p(_prev(rec, 'exp_avg_sq', i))} + {num(1 - b2)} \cdot {p(g)}^2 \approx {num(v)}",
        rf"\hat m^{c}_{{{t}}} = \frac{{m^{c}_{{{t}}}}}{{1 - \beta_1^{{{t}}}}} = "
        rf"\frac{{{num(m)}}}{{1 - {num(b1)}^{{{t}}}}} \approx {num(mh)}",
        rf"\hat v^{c}_{{{t}}} = \frac{{v^{c}_{{{t}}}}}{{1 - \beta_2^{{{t}}}}} = "
        rf"\frac{{{num(v)}}}{{1 - {num(b2)}^{{{t}}}}} \approx {num(vh)}",
        _theta(rec, i,
               rf"\frac{{\eta\, \hat m^{c}_{{{t}}}}}{{\sqrt{{\hat v^{c}_{{{t}}}}} + \epsilon}}",
               rf"\frac{{{num(rec.lr)} \cdot {p(mh)}}}{{\sqrt{{{num(vh)}}} + {eps}}}"),
    ]


_RULES = {"sgd": _sgd, "momentum": _sgd, "nesterov": _sgd, "adagrad": _adagrad,
          "rmsprop": _rmsprop, "adadelta": _adadelta, "adam": _adam}


def rule_lines(rec: StepRecord, coordinate: int = 0) -> list[str]:
    """The formulas of one step for one coordinate (0: x, 1: y), one equation a line, numbers
    filled in; the first line is the gradient (both coordinates), the last the new position."""
    g = rf"g_{{{rec.t}}} = \nabla f(x_{{{rec.t - 1}}}, y_{{{rec.t - 1}}}) = {vec(rec.grad)}"
    return [g, *_RULES[rec.key](rec, coordinate)]


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
