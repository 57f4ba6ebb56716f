"""How every lesson figure looks: colour scales, highlight colours, fonts, number format.

One place so the animator, the number grids, the training pictures and any new lesson's
figure agree (the same orange window, the same green padding outline, the same colours for
a signed value on every page). No plotting here, only values and small pure helpers.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np

from cnnviz.i18n import Text

# Colour scales, all readable with red-green colour blindness: a diverging map for signed
# values (zero = white; blue/red, in classroom mode purple/orange, which stays apart for
# every common deficiency) and perceptually uniform maps for inputs (viridis; cividis in
# classroom mode, made for colour-blind viewers, its dark blue to bright yellow
# contrasts well on a washed-out projector).
SIGNED_SCALE = "RdBu_r"
SIGNED_SCALE_CLASSROOM = "PuOr_r"
INPUT_SCALE = "Viridis"
INPUT_SCALE_CLASSROOM = "Cividis"
HIGHLIGHT = "#ff8c00"  # window and current output cell (orange reads on both maps)
WINDOW_FILL = "rgba(255,140,0,0.18)"  # the window's cells, tinted in the highlight colour
PAD_OUTLINE = "#00b050"
NOT_YET = "#d9d9d9"  # output cells the animation has not computed yet
GRID_BACKGROUND = "#e6e6e6"  # shows between the cells of a numbered grid (xgap / ygap)
MONO = "DejaVu Sans Mono, Menlo, monospace"  # written-out sums: terms line up in columns


def colour_scales(classroom: bool = False) -> dict[str, object]:
    """The input / signed colour scales the lesson figures share (plotly names or lists)."""
    if classroom:
        return {"input": INPUT_SCALE_CLASSROOM, "signed": SIGNED_SCALE_CLASSROOM}
    return {"input": INPUT_SCALE, "signed": SIGNED_SCALE}


def signed_colours(amax: float, classroom: bool = False) -> dict[str, object]:
    """Heatmap colours for signed values: the diverging map, zero at white, ±``amax``."""
    return {"colorscale": colour_scales(classroom)["signed"], "zmin": -amax, "zmax": amax}


# what the signed map's colours mean, in the words a caption uses (ends of each scale above)
SIGNED_COLOUR_NAMES = {
    SIGNED_SCALE: Text("Blue = negative, white = 0, red = positive",
                       "蓝色 = 负数，白色 = 0，红色 = 正数"),
    SIGNED_SCALE_CLASSROOM: Text("Purple = negative, white = 0, orange = positive",
                                 "紫色 = 负数，白色 = 0，橙色 = 正数"),
}


def signed_colour_names(classroom: bool = False) -> Text:
    """The legend of the signed map drawn in this mode: a caption naming blue and red under
    classroom mode's purple and orange would be false on the projector."""
    return SIGNED_COLOUR_NAMES[str(colour_scales(classroom)["signed"])]


def input_colours(lo: float, hi: float, classroom: bool = False) -> dict[str, object]:
    """Heatmap colours for inputs (or unsigned results): the input map over ``lo..hi``."""
    return {"colorscale": colour_scales(classroom)["input"], "zmin": lo, "zmax": hi}


@dataclass(frozen=True)
class AnimationStyle:
    """Font sizes and line width of an animation; classroom mode is larger for a projector."""

    font: int  # base size: grid numbers at most this, titles +2, controls -2
    equation: int  # the written-out sum, at most this (fitted to the width)
    line: int  # width of the window / current-cell outlines

    @classmethod
    def of(cls, classroom: bool) -> AnimationStyle:
        """The style for normal or classroom mode."""
        return cls(26, 24, 5) if classroom else cls(20, 19, 4)


def auto_decimals(values: np.ndarray, max_decimals: int = 2) -> int:
    """Fewest decimals (0..max) that show ``values`` exactly, so integer grids stay integers."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    for d in range(max_decimals + 1):
        if v.size == 0 or np.allclose(np.round(v, d), v, atol=1e-6, rtol=0):
            return d
    return max_decimals


def kernel_decimals(kernel: np.ndarray) -> int:
    """Decimals for kernel taps: exact up to 4 (a binomial 0.0625 is printed whole, so the
    written sums can be checked), else 3 (1/9 reads 0.111)."""
    d = auto_decimals(kernel, 4)
    return d if np.allclose(np.round(kernel, d), kernel, atol=1e-6, rtol=0) else 3


def text_width(text: str) -> int:
    """Width of ``text`` in monospace columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fmt(value: float, decimals: int) -> str:
    """A number with a true minus sign (reads better projected) and no ``-0``."""
    text = f"{value:.{decimals}f}"
    if float(text) == 0.0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def fit_font(cell_px: float, max_chars: int, base: int, least: int = 9) -> int:
    """Largest font (<= base) whose ``max_chars`` characters fit in a ``cell_px`` cell."""
    return int(max(least, min(base, cell_px / (0.62 * max(max_chars, 1)))))


# ----------------------------------------------------------------------------- titles
# Titles are laid out for the narrowest screen a lesson is projected on: 1280×720 with the
# sidebar open leaves a ~720 px main column, and a title wider than its panel ran into the
# next one (Chinese titles most: every character is a full em wide).
NARROWEST_PX = 700
_WIDE = 1.0  # a CJK character's width, in ems
_NARROW = 0.6  # a Latin letter, digit or sign (generous: sans-serif averages ~0.55)
_NO_LINE_START = set("，。、：；）)!！?？,.;:】」》%")
_BREAK_AFTER = set(" ,(/_→，、：")


def text_px(text: str, font: float) -> float:
    """Rendered width of one line of ``text`` at ``font`` px (an upper estimate)."""
    return font * sum(_WIDE if unicodedata.east_asian_width(ch) in "WF" else _NARROW
                      for ch in text)


def _pieces(text: str) -> list[str]:
    """Where a title may break: after a space or a separator, and between CJK characters
    (never before closing punctuation)."""
    pieces: list[str] = []
    for ch in text:
        wide = unicodedata.east_asian_width(ch) in "WF"
        glue = pieces and (ch in _NO_LINE_START or not (
            wide or pieces[-1][-1] in _BREAK_AFTER
            or unicodedata.east_asian_width(pieces[-1][-1]) in "WF"))
        if glue:
            pieces[-1] += ch
        else:
            pieces.append(ch)
    return pieces


def wrap_lines(text: str, max_px: float, font: float) -> list[str]:
    """``text`` in lines no wider than ``max_px``: broken at spaces, after CJK commas and
    before brackets, and inside a word only when the word alone is too wide (between CJK
    characters, after a separator). A piece that cannot break stays whole: ``fit_titles``
    shrinks the font for it."""
    lines: list[str] = []
    for word in re.split(r"(?<= )|(?<=[，、：；])|(?=[（(])", text):
        parts = [word] if text_px(word.rstrip(), font) <= max_px else _pieces(word)
        for piece in parts:
            if lines and text_px((lines[-1] + piece).rstrip(), font) <= max_px:
                lines[-1] += piece
            else:
                lines.append(piece)
    return [line.strip() for line in lines if line.strip()] or [""]


def fit_titles(titles: list[str], widths_px: list[float], font: int,
               least: int = 14, most_lines: int = 3) -> tuple[list[str], int, int]:
    """Titles wrapped (``<br>``) to their panels' widths, one font for all (``font``, or
    smaller down to ``least`` when an unbreakable piece is wider than its panel or a title
    would take more than ``most_lines``), and the most lines any title takes (what the top
    margin must hold)."""
    def worst(size: int) -> tuple[float, int]:
        wrapped = [wrap_lines(t, w, size) for t, w in zip(titles, widths_px)]
        over = max((max(text_px(x, size) for x in lines) - w
                    for lines, w in zip(wrapped, widths_px)), default=0.0)
        return over, max((len(x) for x in wrapped), default=1)

    size = font
    while size > least and (worst(size)[0] > 0 or worst(size)[1] > most_lines):
        size -= 1
    wrapped = [wrap_lines(t, w, size) for t, w in zip(titles, widths_px)]
    return ["<br>".join(lines) for lines in wrapped], size, max((len(x) for x in wrapped),
                                                                default=1)


def title_room(lines: int, font: int) -> int:
    """Pixels above the panels that ``lines`` lines of titles at ``font`` take."""
    return int(lines * font * 1.3) + 16
