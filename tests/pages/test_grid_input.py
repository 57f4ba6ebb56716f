"""The number grid on a lesson page (issue 13, defect 4), in both languages: the editor's
cells are text (a number column's editor turned ``0,5`` into 5 before Python saw it), typed
values are read by ``cnnviz.data.grid``, and every change is told in the learner's language.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.pages.apptest_helpers import assert_ok, has_cjk, run_page

TYPED = [["0,5", "1,5", "1e300"], ["１", "２", "３"], ["٣", "abc", "1,000"]]
# (typed, value used, English words of the notice, Chinese words of the notice)
EXPECTED = [
    ((0, 0), 0.5, "decimal comma", "小数逗号"),
    ((0, 1), 1.5, "decimal comma", "小数逗号"),
    ((0, 2), 1000.0, "clipped", "截断"),
    ((1, 0), 1.0, None, None),
    ((1, 2), 3.0, None, None),
    ((2, 0), 3.0, None, None),
    ((2, 1), 0.0, "Not a number", "不是数字"),
    ((2, 2), 0.0, "thousands separator", "千位分隔符"),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("where", "value", "en", "zh"), EXPECTED,
                         ids=[f"{r}{c}" for (r, c), *_ in EXPECTED])
def test_typed_cell(where: tuple[int, int], value: float, en: str | None, zh: str | None,
                    lang: str) -> None:
    at = run_page("4_stride.py", lang=lang, state={"img_source": "grid", "img_grid": TYPED})
    assert_ok(at)
    grid = np.array(at.session_state["img_grid"], dtype=float)
    assert grid[where] == pytest.approx(value)
    told = " ".join(str(w.value) for w in at.warning)
    assert has_cjk(told) == (lang == "zh")
    word = en if lang == "en" else zh
    if word is not None:
        assert word in told, told


def test_the_editor_hands_over_text() -> None:
    at = run_page("4_stride.py", state={"img_source": "grid"})
    assert_ok(at)
    (editor,) = at.dataframe
    assert all(dtype.kind in "OU" or str(dtype) == "str" for dtype in editor.value.dtypes)
    assert editor.value.iloc[0, 0] == "3"
