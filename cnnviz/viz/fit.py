"""How big an animation's cells can be in the room it really gets, and a smaller crop when
the numbers would not stay legible (no Streamlit; the ui passes the measured width).

A projected grid is read from the back of a room: its digits must be at least
``MIN_DIGIT_PX`` tall. The page's column is as wide as the browser makes it (sidebar open or
closed, a 1024 px projector), so the animator sizes its cells from that width and from a
height budget, and where even then the digits would be smaller, ``trim_to_fit`` keeps the
first output cells (and the input they read) instead of shrinking the numbers.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cnnviz.i18n import common
from cnnviz.lessons.window import WindowSpec
from cnnviz.viz.equation import equation_font, equation_height, equation_lines, equation_room
from cnnviz.viz.grid import titles_top
from cnnviz.viz.style import AnimationStyle, auto_decimals, fit_font, fmt

MIN_DIGIT_PX = 16  # the classroom rule: grid digits at least this large
MIN_DIGIT_PX_NEAR = 0  # normal mode: a learner at their own screen sees the whole crop
GRID_GAP = 0.06  # share of the width each gap between two grids takes (grid.grid_columns)
CONTROLS_PX = 150  # titles above the grids, buttons and step slider below the sum
TITLE_PX = 40  # the column titles' room inside the grid height


def grid_most(classroom: bool) -> int:
    """The grids' height (px) when nothing else binds: taller on a projector."""
    return 520 if classroom else 360


def grid_widths(spec: WindowSpec) -> list[int]:
    """Columns (in cells) of input | kernel | output, as the animator lays them out."""
    widths = [spec.padded.shape[1]]
    if spec.kernel is not None:
        widths.append(max(spec.kernel.shape[1], 2))
    widths.append(max(spec.output.shape[1], 2))
    return widths


def grid_rows(spec: WindowSpec) -> int:
    """Rows of the tallest grid."""
    rows = [spec.padded.shape[0], spec.output.shape[0]]
    if spec.kernel is not None:
        rows.append(spec.kernel.shape[0])
    return max(rows)


def _longest(a: np.ndarray, decimals: int) -> int:
    finite = np.asarray(a, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    return max((len(fmt(float(v), decimals)) for v in finite.reshape(-1)), default=1)


def digit_chars(spec: WindowSpec) -> int:
    """Characters of the longest number any grid writes (what has to fit in a cell)."""
    chars = [_longest(spec.padded, auto_decimals(spec.padded)),
             _longest(spec.output, auto_decimals(spec.output))]
    if spec.kernel is not None:
        chars.append(_longest(spec.kernel, auto_decimals(spec.kernel, 3)))
    return max(chars)


def cell_width(widths: list[int], width_px: float) -> float:
    """Pixels across one cell when grids of ``widths`` columns share ``width_px``."""
    return width_px * (1 - GRID_GAP * (len(widths) - 1)) / sum(widths)


def grid_height(rows: int, cell_w: float, most: int, budget: int | None,
                equation_px: int) -> int:
    """Height (px) of the grids: no taller than square cells of ``cell_w`` need, than the
    style's ``most``, or than the ``budget`` for the whole figure leaves them."""
    px = min(most, int(rows * cell_w) + TITLE_PX)
    if budget is not None:
        px = min(px, budget - equation_px - CONTROLS_PX)
    return max(px, TITLE_PX + 40)


def drawn_grid_px(fitted: int, top: int) -> int:
    """The grids' height once column titles that wrap (``top`` px of them, 50 for one line)
    have taken their room from the ``fitted`` height: the animator's own rule."""
    return max(fitted - (top - 50), int(0.75 * fitted), 120)


def cell_px(spec: WindowSpec, width_px: float, grid_px: int) -> float:
    """The cell size the animator draws: square, bound by the width or by the height."""
    return min(cell_width(grid_widths(spec), width_px), (grid_px - TITLE_PX) / grid_rows(spec))


def digit_font(spec: WindowSpec, width_px: float, grid_px: int, base: int) -> int:
    """The grid numbers' font size at this width and grid height (``fit_font``)."""
    return fit_font(cell_px(spec, width_px, grid_px), digit_chars(spec), base)


def crop_spec(spec: WindowSpec, rows: int, cols: int) -> WindowSpec:
    """The first ``rows`` x ``cols`` output cells and the input they read (top-left part).

    Every number stays the engine's: the outputs and the window map are sliced, not
    recomputed; padding cut off at the right or bottom is no longer marked there.
    """
    rows, cols = min(rows, spec.output.shape[0]), min(cols, spec.output.shape[1])
    wmap = spec.window_map[:rows, :cols]
    in_rows = int(wmap[..., 0].max()) + 1
    in_cols = int(wmap[..., 1].max()) + 1
    hp, wp = spec.padded.shape
    left, right, top, bottom = spec.pad
    pad = (left, max(0, right - (wp - in_cols)), top, max(0, bottom - (hp - in_rows)))
    return replace(spec, padded=spec.padded[:in_rows, :in_cols], window_map=wmap,
                   output=spec.output[:rows, :cols], pad=pad)


MIN_STEPS = 4  # a crop animates at least this many steps (or all the output has)


Titles = tuple[str | None, str | None, str | None]  # input, kernel, output (None: common)


def column_titles_of(spec: WindowSpec, titles: Titles, lang: str) -> list[str]:
    """The column titles the animator writes over ``spec``'s grids."""
    given = (titles[0] or common(lang, "padded_input" if any(spec.pad) else "input"),
             titles[1] or common(lang, "kernel"), titles[2] or common(lang, "output"))
    return [given[0], *([given[1]] if spec.kernel is not None else []), given[2]]


def _font_at(spec: WindowSpec, rows: int, cols: int, width_px: float, *, base: int,
             most: int, budget: int | None, equation_px: int, lang: str = "en",
             titles: Titles | None = None) -> tuple[WindowSpec, int]:
    """The top-left ``rows`` x ``cols`` crop and the digit size the animator would draw it
    with (its titles wrapped as the figure wraps them, unless ``titles`` is None)."""
    ho, wo = spec.output.shape
    part = crop_spec(spec, rows, cols) if (rows, cols) != (ho, wo) else spec
    widths = grid_widths(part)
    fitted = grid_height(grid_rows(part), cell_width(widths, width_px), most, budget,
                         equation_px)
    top = 50 if titles is None else titles_top(column_titles_of(part, titles, lang), widths,
                                               base + 2, width_px, GRID_GAP)
    return part, digit_font(part, width_px, drawn_grid_px(fitted, top), base)


def _counts(n: int) -> list[int]:
    """Crop sizes tried along one axis of ``n`` output cells (all of them up to 24)."""
    return list(range(1, n + 1)) if n <= 24 else sorted(
        {max(1, int(round(n * k))) for k in np.linspace(0.025, 1.0, 40)})


def trim_to_fit(spec: WindowSpec, width_px: float, *, base: int, most: int,
                budget: int | None, equation_px: int, min_font: int = MIN_DIGIT_PX,
                lang: str = "en", titles: Titles | None = None) -> WindowSpec:
    """``spec`` itself when its digits reach ``min_font`` at this width, else a top-left
    crop (``crop_spec``) that still animates: of at least two steps, the one with the most
    steps whose digits reach ``min_font`` (a strip of one row when the height binds); when
    no such crop exists, the one of ``MIN_STEPS`` steps with the largest digits.

    A crop of one cell would be a still picture: Play would have nothing to step through.
    ``titles`` (the page's input / kernel / output titles, None for the common ones) are
    wrapped as the animator wraps them: a title on three lines takes room from the grids.
    """
    ho, wo = spec.output.shape
    kw = {"base": base, "most": most, "budget": budget, "equation_px": equation_px,
          "lang": lang, "titles": titles}
    whole, font = _font_at(spec, ho, wo, width_px, **kw)
    if font >= min_font or ho * wo <= 1:
        return spec
    least, want = min(2, ho * wo), min(MIN_STEPS, ho * wo)
    best: tuple[tuple[int, int], WindowSpec] | None = None  # (steps, font), crop
    fallback: tuple[tuple[int, int], WindowSpec] = ((-1, 0), whole)  # (font, steps), crop
    for rows in _counts(ho):
        cols = [c for c in _counts(wo) if rows * c >= least]
        if not cols:
            continue
        fewest = next((c for c in cols if rows * c >= want), cols[-1])
        part, font = _font_at(spec, rows, fewest, width_px, **kw)
        fallback = max(fallback, ((font, rows * fewest), part), key=lambda f: f[0])
        for c in reversed([c for c in cols if c >= cols[0]]):  # widest first
            part, font = _font_at(spec, rows, c, width_px, **kw)
            if font >= min_font:
                best = max(best or ((0, 0), part), ((rows * c, font), part),
                           key=lambda b: b[0])
                break
    return best[1] if best is not None else fallback[1]


def slider_span(lang: str, font: int, width_px: float) -> tuple[float, float]:
    """(x, length) of the step slider as paper fractions: it starts right of the Play /
    Fast / Pause buttons at this width, so its "Step n" label never covers them."""
    labels = "".join(common(lang, k) for k in ("play", "fast", "pause"))
    ems = sum(1.0 if ord(ch) > 0x2000 else 0.62 for ch in labels)  # CJK and ▶ ■ are wide
    buttons_px = ems * font + 3 * 40
    x = min(0.72, max(0.5, buttons_px / max(width_px, 1.0) + 0.06))
    return x, 1.0 - x


def fit_spec(spec: WindowSpec, width_px: float, *, classroom: bool,
             budget: int | None, lang: str = "en",
             titles: Titles = (None, None, None)) -> WindowSpec:
    """``trim_to_fit`` with the animator's own style, equation and grid height: digits of at
    least ``MIN_DIGIT_PX`` in classroom mode; normal mode keeps the whole crop (its numbers
    fitted to the real width, as small as ``fit_font`` allows)."""
    style = AnimationStyle.of(classroom)
    lines = [equation_lines(spec, s, lang) for s in range(spec.n_steps)]
    eq_px = equation_height(equation_room(spec), equation_font(lines, width_px, style.equation))
    return trim_to_fit(spec, width_px, base=style.font, most=grid_most(classroom),
                       budget=budget, equation_px=eq_px,
                       min_font=MIN_DIGIT_PX if classroom else MIN_DIGIT_PX_NEAR,
                       lang=lang, titles=titles)
