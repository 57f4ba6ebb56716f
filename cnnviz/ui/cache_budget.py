"""What a server keeps between reruns: a byte budget per cache, not an entry count.

An entry count bounds nothing when entries differ a hundredfold (a still figure is ~20 kB,
a 64-frame animation ~1 MB, a decoded photo ~2 MB), so every cache of whole-image results
is Streamlit's ``st.cache_data`` with ``max_size``: a least-recently-used cache over the
entries' pickled bytes (a hit makes an entry the newest; a new entry evicts the oldest
until it fits). A class visiting ever more settings then moves the server's memory to a
plateau instead of up a slope (issue 13; ``benchmarks/replicas.py hold``).

``cached_mb`` is the process's own account of those bytes (the same figures Streamlit serves
on ``/_stcore/metrics``); tests and the hold benchmark assert from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.caching import get_data_cache_stats_provider

MB = 2**20

FIGURE_BUDGET_MB = 48
"""Plotly figure specs (``ui.figure`` / ``ui.plot``). A class on the 18 lessons, in two
languages, each lesson's setting at two or three values, builds ~200 figures of 20 kB to
1 MB; 48 MB keeps that whole working set warm (a learner's rerun is a hit) while a class that
wanders through many more settings only recycles the oldest."""

MEMO_BUDGET_MB = 8
"""Each ``ui.memo``'d engine result (optimiser races, loss-surface grids, schedules: 1 to
100 kB each). Eight of them use it: 64 MB at the very worst, ~2 MB in a class."""

IMAGE_BUDGET_MB = 24
"""Decoded pictures (``image_picker``): an upload is at most 256 px a side, ~2 MB as float
arrays, so a dozen learners' own photos stay decoded; the bundled samples take ~0.4 MB each."""


def bounded(budget_mb: float, *, max_entries: int | None = None
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``st.cache_data`` that keeps at most ``budget_mb`` of pickled results (LRU)."""
    return st.cache_data(show_spinner=False, max_entries=max_entries,
                         max_size=int(budget_mb * MB))


def cached_mb() -> dict[str, float]:
    """MB of pickled entries per ``st.cache_data`` function in this process (its qualified
    name), as Streamlit itself accounts for them."""
    out: dict[str, float] = {}
    for stats in get_data_cache_stats_provider().get_stats().values():
        for stat in stats:
            out[stat.cache_name] = out.get(stat.cache_name, 0.0) + stat.byte_length / MB
    return out
