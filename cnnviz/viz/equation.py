"""The written-out sum of one animation step, as text under the grids.

The terms come from the lesson logic (``cnnviz.lessons.window.step_terms``: a lookup into
the engine's window map). Numbers are printed rounded, so the total written under them is
the one the printed numbers give (``lessons.window.written_total``, exact fractions): a
student who adds the printed products with a calculator gets the printed total. Where
rounding changed it, the sum is written "≈" and the engine's value stands beside it, never
claimed equal. This module only writes them down, one kernel row per line, and places the
text (a monospace annotation, so the terms line up).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from cnnviz.i18n import Text
from cnnviz.lessons.window import (
    MOST_DECIMALS,
    Decimals,
    WindowSpec,
    WrittenTotal,
    printed,
    stamp_products,
    step_terms,
    written_total,
)
from cnnviz.viz.style import MONO, auto_decimals, fit_font, fmt, kernel_decimals, text_width

MEAN = Text("mean", "平均")
ENGINE = Text("(engine: {v})", "（引擎：{v}）")


def paren(value: float, decimals: int) -> str:
    """A factor of a product: negative numbers in brackets, ``3·(−1)``."""
    text = fmt(value, decimals)
    return f"({text})" if text.startswith("−") else text


def spec_decimals(spec: WindowSpec) -> Decimals:
    """How the figure prints the spec's inputs, kernel, bias and output (as its grids do)."""
    return Decimals(
        inputs=auto_decimals(spec.padded),
        kernel=kernel_decimals(spec.kernel) if spec.kernel is not None else 0,
        bias=auto_decimals(np.array([spec.bias]), 3),
        output=auto_decimals(spec.output),
    )


def total_line(wt: WrittenTotal, dec: Decimals, lang: str = "en") -> str:
    """``= 1.83 ÷ 4 = 0.4575`` or ``= −0.01  (engine: −0.0157)``: the printed numbers'
    total, and the engine's value beside it when rounding made them read differently."""
    parts = [f"= {fmt(float(wt.parts_sum), dec.inputs)} ÷ {wt.count}"] if wt.count else []
    parts.append(f"{'=' if wt.exact else '≈'} {fmt(float(wt.shown), wt.decimals)}")
    line = "    " + " ".join(parts)
    if wt.engine_shown:
        engine = fmt(wt.engine, max(MOST_DECIMALS, wt.decimals + 1))
        line += "  " + ENGINE.format(v=engine).get(lang)
    return line


def equation_lines(spec: WindowSpec, step: int, lang: str = "en") -> list[str]:
    """The written-out operation of ``step``, one kernel row per line.

    e.g. ``["s[0,0] = 3·1 + 0·0 + 1·(−1)", "    + ...", "    = 2"]``. The total is what the
    printed numbers give (``lessons.window.written_total``); where some were rounded the
    sum is only "≈" the step, and the engine's value is printed beside a total that
    rounding changed.
    """
    st = step_terms(spec, step)
    dec = spec_decimals(spec)
    wt = written_total(spec, step, dec)
    kh, kw = st.shape
    r, c = st.out_cell
    rel = "≈" if wt.rounded_factors and spec.reducer != "max" else "="
    head = f"{spec.symbol}[{r},{c}] {rel} "
    if spec.reducer == "multiply-add":
        assert st.weights is not None
        pieces = [f"{paren(x, dec.inputs)}·{paren(w, dec.kernel)}"
                  for x, w in zip(st.inputs, st.weights)]
        rows = [" + ".join(pieces[i * kw : (i + 1) * kw]) for i in range(kh)]
        lines = [head + rows[0]] + ["    + " + row for row in rows[1:]]
        if spec.bias != 0.0:
            lines.append(f"    + b ({fmt(spec.bias, dec.bias)})")
    else:
        values = [fmt(x, dec.inputs) for x in st.inputs]
        rows = [", ".join(values[i * kw : (i + 1) * kw]) for i in range(kh)]
        name = "max" if spec.reducer == "max" else MEAN.get(lang)
        lines = [f"{head}{name}( {rows[0]}"] + ["        " + row for row in rows[1:]]
        lines[-1] += " )"
    lines.append(total_line(wt, dec, lang))
    return lines


def equation_room(spec: WindowSpec) -> int:
    """Lines of height the equation gets: those ``equation_lines`` writes, and for a
    multiply-add one spare (the layout the lessons were tuned with)."""
    kh = spec.window_map.shape[2]
    if spec.kernel is None:
        return kh + 1
    return kh + 2 + (1 if spec.bias else 0)


def equation_font(lines: list[list[str]], width_px: float, base: int) -> int:
    """Largest font (<= ``base``) at which the widest line of every step fits ``width_px``
    (CJK characters count twice: they are full-width in a monospace font)."""
    chars = max(text_width(line) for step in lines for line in step)
    return fit_font(width_px * 0.98, chars + 2, base, least=11)


def stamp_lines(value: float, kernel: np.ndarray, stamp_rows: list[np.ndarray],
                decimals: tuple[int, int, int], head: str) -> list[str]:
    """A transposed convolution's stamp: ``x·[kernel row] = [stamp row]`` for each row.

    ``decimals`` are those of the input, the kernel and the output. Each stamp row is the
    product of the numbers as printed (``lessons.window.stamp_products``), so it can be
    checked by hand; when rounding ``x`` made that differ from the engine's ``stamp_rows``
    (what the buffer adds), the head's ``:`` becomes ``≈``.
    """
    dec = Decimals(decimals[0], decimals[1], 0, decimals[2])
    rows = [stamp_products(value, krow, dec) for krow in kernel]
    agree = all(printed(float(e), d) == Fraction(round(p, d))
                for (products, d, _), engine in zip(rows, stamp_rows)
                for p, e in zip(products, engine))
    head = head if agree else head.rstrip(": ") + " ≈ "
    lines = []
    for i, (krow, (products, d, exact)) in enumerate(zip(kernel, rows)):
        lhs = f"{paren(value, dec.inputs)}·[{', '.join(fmt(float(v), dec.kernel) for v in krow)}]"
        rhs = ", ".join(fmt(float(round(p, d)), d) for p in products)
        lines.append(f"{head if i == 0 else ' ' * len(head)}{lhs} {'=' if exact else '≈'} [{rhs}]")
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
