"""Reading a typed number grid (issue 13, defect 4): every cell is the number the learner
typed, or a notice in both languages says what was used instead.

Before, the grid's number column turned ``0,5`` into 5, ``1,5`` into 15 and ``1e300`` into
1300, and full-width or Arabic-Indic digits (``１``, ``٣``) into empty cells and 0, silently.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnnviz.data.grid import GRID_LIMIT, KINDS, parse_cell, parse_grid

# typed, the number used, what the notice is about (None: used exactly as typed)
CELLS = [
    ("3", 3.0, None),
    ("-2.5", -2.5, None),
    ("１", 1.0, None),  # full-width digits, as a Chinese input method types them
    ("１２", 12.0, None),
    ("－３．５", -3.5, None),  # full-width minus and point
    ("−2", -2.0, None),  # U+2212 minus sign
    ("٣", 3.0, None),  # Arabic-Indic digits
    ("-٣٫٥", -3.5, None),  # with the Arabic decimal separator
    ("  7 ", 7.0, None),
    ("1e2", 100.0, None),
    ("0,5", 0.5, "decimal_comma"),
    ("1,5", 1.5, "decimal_comma"),
    ("-0,25", -0.25, "decimal_comma"),
    ("１，５", 1.5, "decimal_comma"),  # full-width comma
    ("0。5", 0.5, "full_stop"),  # a Chinese full stop typed for the point
    ("1,000", 0.0, "ambiguous_comma"),  # a thousands separator or 1.0? refused by name
    ("1e300", GRID_LIMIT, "clipped"),
    ("-1e12", -GRID_LIMIT, "clipped"),
    ("1001", GRID_LIMIT, "clipped"),
    (1e300, GRID_LIMIT, "clipped"),
    ("１，２；３", 0.0, "not_number"),
    ("abc", 0.0, "not_number"),
    ("1.2.3", 0.0, "not_number"),
    ("1,2,3", 0.0, "not_number"),
    ("∞", 0.0, "not_number"),
    ("**5**", 0.0, "not_number"),
    ("nan", 0.0, "not_finite"),
    ("inf", 0.0, "not_finite"),
    (float("nan"), 0.0, "not_finite"),
    (float("-inf"), 0.0, "not_finite"),
    ("", 0.0, "empty"),
    ("   ", 0.0, "empty"),
    (None, 0.0, "empty"),
    (4, 4.0, None),
    (np.float32(0.5), 0.5, None),
]


@pytest.mark.parametrize(("typed", "value", "kind"), CELLS, ids=[repr(c[0]) for c in CELLS])
def test_cell(typed: object, value: float, kind: str | None) -> None:
    cell = parse_cell(typed)
    assert cell.value == pytest.approx(value) and cell.kind == kind


@pytest.mark.parametrize(("typed", "value", "kind"), CELLS, ids=[repr(c[0]) for c in CELLS])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_change_is_told_in_both_languages(typed: object, value: float, kind: str | None,
                                                lang: str) -> None:
    grid = parse_grid([[typed, "1"], ["2", "3"]])
    assert grid.values.dtype == np.float32 and grid.values[0, 0] == pytest.approx(value)
    if kind is None:
        assert not grid.changed and not grid.notices
        return
    (notice,) = grid.notices
    text = notice.get(lang)
    assert text.startswith(KINDS[kind].get(lang))
    assert ("row 1, column 1" in text) if lang == "en" else ("第 1 行第 1 列" in text)
    if isinstance(typed, str) and typed.strip():
        assert typed.strip() in text, "the notice quotes what was typed"


def test_one_notice_per_kind_and_ragged_rows() -> None:
    grid = parse_grid([["0,5", "1,5", "x"], ["y"]])
    assert grid.values.shape == (2, 3)
    np.testing.assert_array_equal(grid.values, [[0.5, 1.5, 0], [0, 0, 0]])
    kinds = [n.en.split(":")[0] for n in grid.notices]
    assert len(kinds) == 3 and "(row 2, column 2); (row 2, column 3)" in grid.notices[2].en


def test_many_cells_are_summarised() -> None:
    grid = parse_grid([["a"] * 12])
    (notice,) = grid.notices
    assert "(and 6 more)" in notice.en and "另有 6 个" in notice.zh


def test_empty_grid_is_one_zero_with_a_notice() -> None:
    grid = parse_grid([])
    assert grid.values.shape == (1, 1) and grid.changed
