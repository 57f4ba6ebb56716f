"""The whole network at a glance: every layer's output for one input, and any unit's computation
written out with its numbers (NumPy and the engine only; no plotting, no Streamlit).

Every number comes from the engine: a layer's input and output are caught by forward hooks
on the model's own leaf modules, weights and running statistics are read from the module
itself. The written-out computations only re-add what the engine's module used, so a test
checks that each one equals the engine's activation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from cnnviz import nn
from cnnviz.lessons.window import places, printed
from cnnviz.nn import functional as F
from cnnviz.training.data import as_images

__all__ = ["LayerTrace", "Term", "UnitComputation", "WrittenSum", "compute_unit",
           "equation_lines", "trace_network", "written_sum", "SKIPPED", "SOFTMAX"]

SKIPPED = ("Identity", "Dropout")  # nothing happens there at test time: no column of its own
SOFTMAX = "Softmax"  # the probabilities the model's logits turn into (a column of its own)
TOP_TERMS = 8  # a fully connected unit: its largest contributions, the rest summed


@dataclass(frozen=True)
class LayerTrace:
    """One column of the view: a leaf layer, what went in and what came out (batch removed)."""

    name: str  # dotted module name ("3", "4.conv1"), "softmax" for the last column
    kind: str  # class name ("Conv2d", "ReLU", ...) or SOFTMAX
    module: nn.Module | None
    input: np.ndarray
    output: np.ndarray

    @property
    def spatial(self) -> bool:
        """True for (C, H, W) outputs (maps), False for (F,) vectors (units)."""
        return self.output.ndim == 3


def trace_network(model: nn.Module, image: np.ndarray) -> list[LayerTrace]:
    """Run one image through ``model`` in eval mode and catch every leaf layer's input and
    output in forward order, then the softmax of the logits (the mode is restored)."""
    x = as_images(image)[:1]
    leaves = [(n, m) for n, m in model.named_modules()
              if not list(m.children()) and type(m).__name__ not in SKIPPED]
    caught: list[LayerTrace] = []
    handles = []
    for name, m in leaves:
        def hook(mod: nn.Module, inputs: tuple, out: Any, _name: str = name) -> None:
            caught.append(LayerTrace(_name, type(mod).__name__, mod,
                                     np.array(inputs[0][0], np.float32),
                                     np.array(out[0], np.float32)))
        handles.append(m.register_forward_hook(hook))
    modes = {id(m): m.training for m in model.modules()}
    try:
        model.eval()
        logits = np.asarray(model(x))
    finally:
        for h in handles:
            h.remove()
        for m in model.modules():
            object.__setattr__(m, "training", modes[id(m)])
    probs = np.asarray(F.softmax(logits.astype(np.float32), dim=1))[0]
    caught.append(LayerTrace("softmax", SOFTMAX, None, logits[0].astype(np.float32), probs))
    return caught


# ----------------------------------------------------------------------------- one unit
@dataclass(frozen=True)
class Term:
    """One printed part of a written-out computation: a label and its value."""

    label: str  # "channel 3", "w·x of unit 17", "bias", "e^(z₂ − max)"
    value: float


@dataclass(frozen=True)
class UnitComputation:
    """How one unit's value is computed, with the numbers the engine used.

    ``kind`` picks the formula the page writes: "conv" (per-channel partial sums + bias),
    "linear" (largest w·x terms + the rest + bias), "max" / "mean" (a pooling window),
    "activation" (ReLU, sigmoid, ...: ``inputs[0]`` → value), "batchnorm" (``stats``),
    "softmax" (exponentials and their sum), "copy" (flatten, LRN and the rest: the value as
    it arrives). ``value`` is what the written-out computation gives; ``engine`` the
    engine's activation at that unit (they agree to float32 round-off).
    """

    kind: str
    layer: str
    unit: tuple[int, ...]
    value: float
    engine: float
    terms: tuple[Term, ...] = ()
    window: np.ndarray | None = None  # the input window (conv: of ``shown_channel``)
    kernel: np.ndarray | None = None  # conv: the kernel of ``shown_channel``
    shown_channel: int | None = None
    stats: dict[str, float] = field(default_factory=dict)
    hidden: int = 0  # terms summed into "the rest" (linear) or channels not listed
    layer_kind: str = ""  # the layer's class name (which activation)


def _pair(v: Any) -> tuple[int, int]:
    return (int(v), int(v)) if np.isscalar(v) else (int(v[0]), int(v[1]))


def _padded(x: np.ndarray, padding: Any, value: float = 0.0) -> np.ndarray:
    """``x`` (C, H, W) padded as the layer pads it (zeros for conv, −∞ for max pooling)."""
    ph, pw = _pair(padding)
    return np.asarray(F.pad(x[None], (pw, pw, ph, ph), value=value))[0]


def _window(xp: np.ndarray, r: int, c: int, k: tuple[int, int], s: tuple[int, int],
            d: tuple[int, int]) -> np.ndarray:
    """The (C, kh, kw) cells that output (r, c) reads from the padded input."""
    rows = r * s[0] + d[0] * np.arange(k[0])
    cols = c * s[1] + d[1] * np.arange(k[1])
    return xp[:, rows[:, None], cols[None, :]]


def _conv(t: LayerTrace, o: int, r: int, c: int) -> UnitComputation:
    m = t.module
    assert isinstance(m, nn.Conv2d)
    if isinstance(m.padding, str):
        raise ValueError("string padding is not written out")
    per_group_in = m.in_channels // m.groups
    first = (o // (m.out_channels // m.groups)) * per_group_in
    xs = _padded(t.input[first:first + per_group_in], m.padding)
    win = _window(xs, r, c, _pair(m.kernel_size), _pair(m.stride), _pair(m.dilation))
    w = m.weight.data[o]
    partial = (win.astype(np.float64) * w).sum(axis=(1, 2))
    bias = float(m.bias.data[o]) if m.bias is not None else 0.0
    terms = [Term(f"{first + i}", float(p)) for i, p in enumerate(partial)]
    shown = int(np.argmax(np.abs(partial)))
    return UnitComputation("conv", t.name, (o, r, c), float(partial.sum() + bias),
                           float(t.output[o, r, c]), tuple(terms), win[shown], w[shown],
                           first + shown, {"bias": bias})


def _pool(t: LayerTrace, ch: int, r: int, c: int) -> UnitComputation:
    m = t.module
    x = t.input[ch:ch + 1]
    if t.kind == "GlobalAvgPool2d":
        win = x[0]
        return UnitComputation("mean", t.name, (ch, r, c), float(win.mean(dtype=np.float64)),
                               float(t.output[ch, r, c]), window=win)
    assert m is not None
    is_max = t.kind == "MaxPool2d"
    xs = _padded(x, m.padding, -np.inf if is_max else 0.0)
    d = _pair(getattr(m, "dilation", 1))
    win = _window(xs, r, c, _pair(m.kernel_size), _pair(m.stride), d)[0]
    value = float(win.max()) if is_max else float(win.mean(dtype=np.float64))
    return UnitComputation("max" if is_max else "mean", t.name, (ch, r, c), value,
                           float(t.output[ch, r, c]), window=win)


def _batchnorm(t: LayerTrace, unit: tuple[int, ...]) -> UnitComputation:
    m = t.module
    assert m is not None
    ch = unit[0]
    x = float(t.input[unit])
    stats = {"x": x, "mean": float(m.running_mean[ch]), "var": float(m.running_var[ch]),
             "eps": float(m.eps),
             "gamma": float(m.weight.data[ch]) if m.weight is not None else 1.0,
             "beta": float(m.bias.data[ch]) if m.bias is not None else 0.0}
    value = ((x - stats["mean"]) / math.sqrt(stats["var"] + stats["eps"]) * stats["gamma"]
             + stats["beta"])
    return UnitComputation("batchnorm", t.name, unit, value, float(t.output[unit]), stats=stats)


def _linear(t: LayerTrace, j: int, top: int = TOP_TERMS) -> UnitComputation:
    m = t.module
    assert isinstance(m, nn.Linear)
    contrib = m.weight.data[j].astype(np.float64) * t.input.astype(np.float64)
    order = np.argsort(-np.abs(contrib), kind="stable")
    shown, rest = order[:top], order[top:]
    terms = [Term(f"w{i}·x{i}", float(contrib[i])) for i in shown]
    if len(rest):
        terms.append(Term("rest", float(contrib[rest].sum())))
    bias = float(m.bias.data[j]) if m.bias is not None else 0.0
    return UnitComputation("linear", t.name, (j,), float(contrib.sum() + bias),
                           float(t.output[j]), tuple(terms), hidden=len(rest),
                           stats={"bias": bias})


def _softmax(t: LayerTrace, j: int) -> UnitComputation:
    z = t.input.astype(np.float64)
    e = np.exp(z - z.max())
    terms = tuple(Term(f"{k}", float(v)) for k, v in enumerate(e))
    return UnitComputation("softmax", t.name, (j,), float(e[j] / e.sum()), float(t.output[j]),
                           terms, stats={"max": float(z.max()), "z": float(z[j]),
                                         "sum": float(e.sum())})


def _activation(t: LayerTrace, unit: tuple[int, ...]) -> UnitComputation:
    x = float(t.input[unit])
    fns = {"ReLU": lambda v: max(0.0, v), "Sigmoid": lambda v: 1.0 / (1.0 + math.exp(-v)),
           "Tanh": math.tanh}
    value = fns[t.kind](x) if t.kind in fns else float(t.output[unit])
    return UnitComputation("activation", t.name, unit, value, float(t.output[unit]),
                           stats={"x": x}, layer_kind=t.kind)


def compute_unit(t: LayerTrace, unit: tuple[int, ...]) -> UnitComputation:
    """Unit ``unit`` of layer ``t`` (``(channel, row, col)`` for maps, ``(j,)`` for vectors)
    written out with the numbers the engine used."""
    if t.output[unit].ndim != 0:
        raise ValueError(f"{unit} is not one unit of an output shaped {t.output.shape}")
    if t.kind == "Conv2d":
        return _conv(t, *unit)
    if t.kind in ("MaxPool2d", "AvgPool2d", "GlobalAvgPool2d"):
        return _pool(t, *unit)
    if t.kind.startswith("BatchNorm"):
        return _batchnorm(t, unit)
    if t.kind == "Linear":
        return _linear(t, unit[0])
    if t.kind == SOFTMAX:
        return _softmax(t, unit[0])
    if t.kind in ("ReLU", "Sigmoid", "Tanh", "LeakyReLU"):
        return _activation(t, unit)
    return UnitComputation("copy", t.name, unit, float(t.output[unit]), float(t.output[unit]))


# ----------------------------------------------------------------------------- printed sums
@dataclass(frozen=True)
class WrittenSum:
    """A sum of printed numbers, as a student adds it up: exactly, from what is printed."""

    parts: tuple[str, ...]  # each part as printed
    total: str  # the printed parts' exact sum
    engine: str  # the engine's value at the same decimals
    agrees: bool  # the printed total reads as the engine's value


def _fmt(v: Fraction | float, d: int) -> str:
    text = f"{float(v):.{d}f}" if not isinstance(v, Fraction) else f"{float(round(v, d)):.{d}f}"
    return ("0" + text[2:] if text.startswith("-0") and float(text) == 0 else text).replace(
        "-", "−")


def written_sum(values: list[float], engine: float, decimals: int = 3) -> WrittenSum:
    """``values`` printed with ``decimals`` and their exact sum (what a calculator gives on the
    printed numbers), beside the engine's value where rounding makes them differ."""
    shown = [printed(v, decimals) for v in values]
    total = sum(shown, Fraction(0))
    d = places([total], decimals) or decimals
    return WrittenSum(tuple(_fmt(v, decimals) for v in shown), _fmt(total, d),
                      _fmt(engine, d), _fmt(total, d) == _fmt(engine, d))


def _lines(labels: list[str], values: list[float], engine: float, result: str) -> list[str]:
    """A column sum: one printed part a line, a rule, the printed parts' exact total."""
    ws = written_sum(values, engine)
    width = max(len(x) for x in [*labels, result])
    out = [f"{lab:<{width}}  {v:>10}" for lab, v in zip(labels, ws.parts)]
    out += ["─" * (width + 12), f"{result:<{width}}  {ws.total:>10}"]
    if not ws.agrees:
        out[-1] += f"  ≈ {ws.engine}"
    return out


def equation_lines(u: UnitComputation) -> list[str]:
    """The computation of ``u`` written out in symbols and numbers (no words: the same in
    every language); sums are printed so that their printed parts add up to the total."""
    s = u.stats
    if u.kind in ("conv", "linear"):
        labels = [f"c{t.label}: Σ x·w" if u.kind == "conv" else
                  (f"Σ {u.hidden} w·x" if t.label == "rest" else t.label) for t in u.terms]
        values = [t.value for t in u.terms]
        if s.get("bias", 0.0) != 0.0:
            labels.append("b")
            values.append(s["bias"])
        return _lines(labels, values, u.engine, "y")
    if u.kind == "softmax":
        j = u.unit[0]
        lines = _lines([f"e^(z{t.label} − {_fmt(s['max'], 3)})" for t in u.terms],
                       [t.value for t in u.terms], s["sum"], "Σ")
        return [*lines, f"p{j} = e^(z{j} − max) / Σ = {_fmt(u.terms[j].value, 3)} / "
                        f"{written_sum([t.value for t in u.terms], s['sum']).total} "
                        f"= {_fmt(u.engine, 4)}"]
    if u.kind == "batchnorm":
        return ["y = (x − μ) / √(σ² + ε) · γ + β",
                f"  = ({_fmt(s['x'], 4)} − {_fmt(s['mean'], 4)}) / "
                f"√({_fmt(s['var'], 4)} + {s['eps']:g})"
                f" · {_fmt(s['gamma'], 4)} + {_fmt(s['beta'], 4)}", f"  = {_fmt(u.engine, 4)}"]
    if u.kind == "activation":
        return [f"y = {_ACT_FORMULA.get(u.layer_kind, 'f(x)')}, x = {_fmt(s['x'], 4)}",
                f"y = {_fmt(u.engine, 4)}"]
    if u.kind in ("max", "mean") and u.window is not None:
        win = [float(v) for v in np.ravel(u.window) if np.isfinite(v)]
        if u.kind == "max":
            return [f"y = max(…{len(win)}) = {_fmt(u.engine, 4)}"]
        ws = written_sum(win, u.engine * len(win))
        return [f"y = Σ / {len(win)} = {ws.total} / {len(win)} = {_fmt(u.engine, 4)}"]
    return [f"y = {_fmt(u.engine, 4)}"]


_ACT_FORMULA = {"ReLU": "max(0, x)", "Sigmoid": "1 / (1 + e^(−x))", "Tanh": "tanh(x)",
                "LeakyReLU": "max(0.01x, x)"}
