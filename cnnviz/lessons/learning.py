"""Shared by the "how a CNN learns" lessons: their recorded runs and numeric quiz options.

Each of those lessons compares nets trained side by side (``cnnviz.training.sidebyside``). The
comparison the page opens with is a recording in ``assets/runs/<slug>.npz`` made by
``scripts/record_lesson_runs.py``; the page can run it again with the same settings.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from cnnviz.training.sidebyside import RUNS_DIR, Recording, load_recording


def run_path(slug: str) -> Path:
    """Where the recorded run of lesson ``slug`` lives."""
    return RUNS_DIR / f"{slug}.npz"


@lru_cache(maxsize=8)
def recorded(slug: str) -> Recording:
    """The recorded run of lesson ``slug`` (read once per process; treat it as read-only)."""
    return load_recording(run_path(slug))


def float_options(right: float, wrong: list[float], decimals: int = 3
                  ) -> tuple[list[str], int]:
    """Four distinct sorted answers, ``right`` among them, printed with ``decimals``.

    Wrong values that print like the right one (or like each other) are dropped; steps of
    one unit of the last digit fill up to four.
    """
    fmt = f"{{:.{decimals}f}}"
    key = fmt.format(right)
    seen = {key: right}
    for w in wrong:
        s = fmt.format(w)
        if s not in seen and s != fmt.format(-0.0):
            seen[s] = w
        if len(seen) == 4:
            break
    step = 10.0 ** -decimals
    k = 1
    while len(seen) < 4:
        for cand in (right + k * step * 10, right - k * step * 10):
            s = fmt.format(cand)
            if s not in seen and len(seen) < 4:
                seen[s] = cand
        k += 1
    ordered = sorted(seen.items(), key=lambda kv: float(kv[0]))
    labels = [s for s, _ in ordered]
    return labels, labels.index(key)
