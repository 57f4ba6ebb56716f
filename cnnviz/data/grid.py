"""Reading a grid of numbers the learner typed: every cell a number they typed, or a notice.

The grid editor hands over text exactly as typed, and this module decides what number it
is. Full-width digits and signs (what a Chinese input method types: ``１，２``) and other
Unicode digits are read as the digits they are; a decimal comma (``0,5``) is read as a
decimal point and said so, unless it could also be a thousands separator (``1,000``), which
is refused; anything that is not a number, not finite, or empty becomes 0 and is named;
values beyond ``±limit`` are clipped and told. No value changes without a notice.
No Streamlit here: the image picker shows the notices in the learner's language.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cnnviz.i18n import Text

__all__ = ["GRID_LIMIT", "Cell", "ParsedGrid", "parse_cell", "parse_grid"]

GRID_LIMIT = 1000.0
"""Typed values are clipped to ±this (keeps the numbers readable in the figures)."""

# signs NFKC leaves alone: minus sign, dashes, the Arabic decimal and thousands marks
_SIGNS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-",
                        "\u066b": ".", "\u066c": ","})
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3},\d{3}$")
_SHOWN = 16  # characters of a typed cell quoted in a notice

# what happened to a cell, in the order notices are shown
KINDS: dict[str, Text] = {
    "decimal_comma": Text("Read with the decimal comma as a decimal point",
                          "小数逗号已按小数点读取"),
    "full_stop": Text("Read the full stop 。 as a decimal point", "句号“。”已按小数点读取"),
    "ambiguous_comma": Text("A comma that could be a thousands separator or a decimal comma "
                            "(type 1000 or 1.0); set to 0",
                            "逗号既可能是千位分隔符也可能是小数逗号（请输入 1000 或 1.0）；"
                            "已改为 0"),
    "not_number": Text("Not a number; set to 0", "不是数字；已改为 0"),
    "not_finite": Text("Not a finite number; set to 0", "不是有限数值；已改为 0"),
    "empty": Text("Empty; set to 0", "空白；已改为 0"),
    "clipped": Text(f"Beyond ±{GRID_LIMIT:g}; clipped", f"超出 ±{GRID_LIMIT:g}；已截断"),
}


@dataclass(frozen=True)
class Cell:
    """One cell: the number used and, when it is not simply what was typed, why."""

    value: float
    kind: str | None = None  # a key of KINDS, None when the typed number is used as it is
    typed: str = ""


def _number(text: str) -> Cell:
    """A cell from typed text already normalised (NFKC, signs, stripped)."""
    if not text:
        return Cell(0.0, "empty", text)
    if "\u3002" in text:  # a Chinese input method's full stop where a point was meant
        cell = _number(text.replace("\u3002", "."))
        return cell if cell.kind else Cell(cell.value, "full_stop", text)
    if "," in text and "." not in text:
        if _THOUSANDS.match(text):
            return Cell(0.0, "ambiguous_comma", text)
        if _DECIMAL_COMMA.match(text):
            return Cell(float(text.replace(",", ".")), "decimal_comma", text)
    try:
        value = float(text)  # also reads Unicode decimal digits (Arabic-Indic ...)
    except ValueError:
        return Cell(0.0, "not_number", text)
    return Cell(value) if math.isfinite(value) else Cell(0.0, "not_finite", text)


def parse_cell(raw: Any, limit: float = GRID_LIMIT) -> Cell:
    """The number in one cell as typed (text) or given (a number from a stored grid)."""
    if raw is None:
        cell = Cell(0.0, "empty")
    elif isinstance(raw, (int, float, np.integer, np.floating)) and not isinstance(raw, bool):
        value = float(raw)
        cell = Cell(value) if math.isfinite(value) else Cell(0.0, "not_finite", str(raw))
    else:
        text = unicodedata.normalize("NFKC", str(raw)).translate(_SIGNS).strip()
        cell = _number(text)
        cell = Cell(cell.value, cell.kind, str(raw).strip())
    if abs(cell.value) > limit:
        typed = cell.typed or f"{cell.value:g}"
        return Cell(math.copysign(limit, cell.value), "clipped", typed)
    return cell


@dataclass(frozen=True)
class ParsedGrid:
    """The numbers of a typed grid (float32) and a notice per kind of change (may be empty)."""

    values: np.ndarray
    notices: tuple[Text, ...]

    @property
    def changed(self) -> bool:
        """Whether any cell was not used exactly as typed."""
        return bool(self.notices)


def _rows(rows: Any) -> list[list[Any]]:
    """A list of equal-length rows from a DataFrame, an array or nested lists."""
    if hasattr(rows, "to_numpy"):
        rows = rows.to_numpy(dtype=object).tolist()
    elif isinstance(rows, np.ndarray):
        rows = rows.astype(object).tolist() if rows.ndim == 2 else [list(rows.ravel())]
    rows = [list(r) if isinstance(r, Sequence) and not isinstance(r, str) else [r]
            for r in (rows or [])]
    width = max((len(r) for r in rows), default=0)
    return [r + [None] * (width - len(r)) for r in rows]


def _notice(kind: str, cells: list[tuple[int, int, Cell]]) -> Text:
    """One line for every cell of a kind: where it is, what was typed, what is used."""
    parts_en, parts_zh = [], []
    for r, c, cell in cells[:6]:
        typed = cell.typed if len(cell.typed) <= _SHOWN else cell.typed[:_SHOWN] + "…"
        shown = f"“{typed}” → {cell.value:g} " if typed else ""
        parts_en.append(f"{shown}(row {r + 1}, column {c + 1})")
        parts_zh.append(f"{shown.rstrip()}（第 {r + 1} 行第 {c + 1} 列）")
    more = len(cells) - len(parts_en)
    tail = Text(f" (and {more} more)", f"（另有 {more} 个）") if more > 0 else Text("", "")
    return KINDS[kind] + Text(": " + "; ".join(parts_en), "：" + "；".join(parts_zh)) + tail


def parse_grid(rows: Any, limit: float = GRID_LIMIT) -> ParsedGrid:
    """Typed rows (text or numbers) -> float32 values and the notices of what was changed.

    An empty grid becomes one 0 cell, with a notice.
    """
    table = _rows(rows)
    if not table or not table[0]:
        return ParsedGrid(np.zeros((1, 1), np.float32), (KINDS["empty"],))
    cells = [[parse_cell(v, limit) for v in row] for row in table]
    values = np.array([[c.value for c in row] for row in cells], dtype=np.float32)
    notices = []
    for kind in KINDS:
        hits = [(r, c, cell) for r, row in enumerate(cells) for c, cell in enumerate(row)
                if cell.kind == kind]
        if hits:
            notices.append(_notice(kind, hits))
    return ParsedGrid(values, tuple(notices))
