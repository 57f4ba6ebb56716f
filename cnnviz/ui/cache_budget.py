"""What a server keeps between reruns: a byte budget per cache, not an entry count.

An entry count bounds nothing when entries differ a hundredfold in size (a still figure
is a few kB, a decoded 256 px upload ~1 MB), so every cache of whole-image results is
Streamlit's ``st.cache_data`` with ``max_size``: a least-recently-used cache over the
entries' pickled bytes (a hit makes an entry the newest; a new entry evicts the oldest
until it fits). However many settings a class visits, these caches stop at their budgets
(issue 13). In the hold benchmark they were not what grew: 6 MB in all per replica
(benchmarks/LOAD.md, "What grew in the hold"; the heap is ``server_memory``'s business).

``cached_mb`` is the process's own account of those bytes (the figures Streamlit serves on
``/_stcore/metrics``, which the hold benchmark reports); the tests assert from it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.runtime.caching import get_data_cache_stats_provider

MB = 2**20

FIGURE_BUDGET_MB = 48
"""Plotly figure specs (``ui.figure`` / ``ui.plot``). Thirty learners on the 18 lessons in
two languages, each lesson's setting at two values, left ~6 MB of specs per replica
(benchmarks/LOAD.md, replicas-hold). 48 MB is eight times that: a class that tries many more
settings stays warm (a learner's rerun is a hit), and beyond it only the oldest are rebuilt."""

MEMO_BUDGET_MB = 8
"""Each ``ui.memo``'d engine result (optimiser races, loss-surface grids, schedules: 1 to
100 kB each). Eight of them use it: 64 MB at the very worst, under 0.2 MB in the hold."""

IMAGE_BUDGET_MB = 24
"""Decoded pictures (``image_picker``): an upload is at most 256 px a side, ~1 MB as float32
RGB + gray, so twenty learners' own photos stay decoded; a bundled sample takes ~0.4 MB."""


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
