"""The written-out sum of one animation step, as text under the grids.

The terms themselves come from the lesson logic (``cnnviz.lessons.window.step_terms``: a
lookup into the engine's window map) and the total is the engine's output value, never a
sum recomputed here; this module only writes them down, one kernel row per line, and
places the text (a monospace annotation, so the terms line up).
"""

from __future__ import annotations

import numpy as np

from cnnviz.i18n import Text
from cnnviz.lessons.window import WindowSpec, step_terms
from cnnviz.viz.style import MONO, auto_decimals, fit_font, fmt

MEAN = Text("mean", "平均")


def paren(value: float, decimals: int) -> str:
    """A factor of a product: negative numbers in brackets, ``3·(−1)``."""
    text = fmt(value, decimals)
    return f"({text})" if text.startswith("−") else text


def equation_lines(spec: WindowSpec, step: int, lang: str = "en") -> list[str]:
    """The written-out operation of ``step``, one kernel row per line.

    e.g. ``["s = 3·1 + 0·0 + 1·(−1)", "  + ...", "  = 2"]``; the final value is the
    engine's output.
    """
    st = step_terms(spec, step)
    din = auto_decimals(spec.padded)
    dout = auto_decimals(spec.output)
    kh, kw = st.shape
    r, c = st.out_cell
    head = f"{spec.symbol}[{r},{c}] = "
    if spec.reducer == "multiply-add":
        assert st.weights is not None
        dk = auto_decimals(spec.kernel, 3)  # type: ignore[arg-type]
        pieces = [f"{paren(x, din)}·{paren(w, dk)}" for x, w in zip(st.inputs, st.weights)]
        rows = [" + ".join(pieces[i * kw : (i + 1) * kw]) for i in range(kh)]
        lines = [head + rows[0]] + ["    + " + row for row in rows[1:]]
        if spec.bias != 0.0:
            lines.append(f"    + b ({fmt(spec.bias, auto_decimals(np.array([spec.bias]), 3))})")
    else:
        values = [fmt(x, din) for x in st.inputs]
        rows = [", ".join(values[i * kw : (i + 1) * kw]) for i in range(kh)]
        name = "max" if spec.reducer == "max" else MEAN.get(lang)
        lines = [f"{head}{name}( {rows[0]}"] + ["        " + row for row in rows[1:]]
        lines[-1] += " )"
    lines.append(f"    = {fmt(st.total, dout)}")
    return lines


def equation_room(spec: WindowSpec) -> int:
    """Lines of height the equation gets: those ``equation_lines`` writes, and for a
    multiply-add one spare (the layout the lessons were tuned with)."""
    kh = spec.window_map.shape[2]
    if spec.kernel is None:
        return kh + 1
    return kh + 2 + (1 if spec.bias else 0)


def equation_font(spec: WindowSpec, width_px: float, base: int) -> int:
    """Largest font (<= ``base``) at which the first steps' longest line fits ``width_px``."""
    chars = max(len(line) for step in range(min(spec.n_steps, 4))
                for line in equation_lines(spec, step))
    return fit_font(width_px * 0.98, chars + 2, base, least=11)


def stamp_lines(value: float, kernel: np.ndarray, stamp_rows: list[np.ndarray],
                decimals: tuple[int, int, int], head: str) -> list[str]:
    """A transposed convolution's stamp: ``x·[kernel row] = [stamp row]`` for each row.

    ``decimals`` are those of the input, the kernel and the output.
    """
    dx, dk, dout = decimals
    lines = []
    for i, krow in enumerate(kernel):
        lhs = f"{paren(value, dx)}·[{', '.join(fmt(float(v), dk) for v in krow)}]"
        rhs = ", ".join(fmt(float(v), dout) for v in stamp_rows[i])
        lines.append(f"{head if i == 0 else ' ' * len(head)}{lhs} = [{rhs}]")
    return lines


def equation_height(n_lines: int, font: int) -> int:
    """Pixels the equation takes under the grids (where the controls go below it)."""
    return int(n_lines * font * 1.35) + 20


def equation_annotation(lines: list[str], font: int) -> dict[str, object]:
    """The equation as a left-aligned monospace annotation just under the grids."""
    return {
        "text": "<br>".join(lines),
        "xref": "paper",
        "yref": "paper",
        "x": 0.0,
        "y": -0.04,
        "xanchor": "left",
        "yanchor": "top",
        "align": "left",
        "showarrow": False,
        "font": {"size": font, "family": MONO},
    }
