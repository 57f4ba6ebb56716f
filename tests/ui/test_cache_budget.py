"""The server's caches are bounded in bytes (cnnviz.ui.cache_budget; issue 13's hold run).

Asserted from the process's own accounting (``cached_mb``, Streamlit's count of pickled
bytes, the figures ``/_stcore/metrics`` serves): however many distinct settings come in,
a cache never holds more than its budget, the least recently used entry goes first, and a
repeated setting is still a hit.
"""

from __future__ import annotations

import importlib
import logging
from types import SimpleNamespace

import numpy as np
import pytest

logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

from cnnviz.ui import cache_budget, common, page  # noqa: E402

# cnnviz.ui exports a function named image_picker: the module, by its full name
picker = importlib.import_module("cnnviz.ui.image_picker")

BUDGET_MB = 2.0
CALLS: list[int] = []


@cache_budget.bounded(BUDGET_MB)
def _quarter_mb(i: int) -> np.ndarray:
    CALLS.append(i)
    return np.full(cache_budget.MB // 4 // 8, i, dtype=np.float64)  # 0.25 MB pickled


def _mb(fn: object) -> float:
    name = f"{fn.__module__}.{fn.__qualname__}"  # type: ignore[attr-defined]
    return cache_budget.cached_mb().get(name, 0.0)


@pytest.fixture(autouse=True)
def _empty() -> None:
    _quarter_mb.clear()
    CALLS.clear()


def test_bytes_never_exceed_the_budget() -> None:
    for i in range(40):  # 10 MB asked for, 2 MB allowed
        _quarter_mb(i)
        assert _mb(_quarter_mb) <= BUDGET_MB
    assert _mb(_quarter_mb) > BUDGET_MB - 0.5, "the budget is used, not left empty"


def test_least_recently_used_goes_first_and_hits_stay_hits() -> None:
    for i in range(7):  # 1.75 MB: all fit
        _quarter_mb(i)
    _quarter_mb(0)  # a warm hit: no recomputation, and 0 becomes the newest
    assert list(range(7)) == CALLS
    _quarter_mb(7)
    _quarter_mb(8)  # over budget: the oldest untouched ones (1, then 2) leave, not 0
    CALLS.clear()
    _quarter_mb(0)
    _quarter_mb(8)
    assert CALLS == [], "the recently used entries were kept"
    _quarter_mb(1)
    assert CALLS == [1], "the least recently used entry was evicted"


class _Fig(SimpleNamespace):
    def to_dict(self) -> dict:
        return self.spec


def _builder(i: int, mb: float) -> _Fig:
    return _Fig(spec={"data": [{"z": np.full(int(mb * cache_budget.MB) // 8, float(i))}]})


def test_figure_specs_stay_within_their_budget() -> None:
    page._figure_spec.clear()
    try:
        for i in range(int(cache_budget.FIGURE_BUDGET_MB / 4) + 6):  # 4 MB figures
            page._figure_spec("test.fig", _builder, (i, 4.0), {})
            assert _mb(page._figure_spec) <= cache_budget.FIGURE_BUDGET_MB
    finally:
        page._figure_spec.clear()


def _memo_result(i: int) -> np.ndarray:
    return np.full(cache_budget.MB // 8, float(i))  # 1 MB


def test_memo_and_decoded_images_are_bounded_too() -> None:
    cached = common.memo(_memo_result)
    cached.clear()
    for i in range(int(cache_budget.MEMO_BUDGET_MB) + 4):
        cached(i)
        assert _mb(_memo_result) <= cache_budget.MEMO_BUDGET_MB
    cached.clear()
    for fn in (picker._decode, picker._sample):
        assert fn._info.max_size_bytes == cache_budget.IMAGE_BUDGET_MB * cache_budget.MB
