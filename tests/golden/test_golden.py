"""Refactors change no pixel a learner sees: every page's default figures and texts equal the
saved ones (``tests/golden/snapshot.py``). Numbers compare to 1e-5 relative (a faster engine
may sum in another order); everything else exactly. The comparison runs inside the page
suite's default runs (tests/pages/test_page_suite.py), which run every page in these views
anyway.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.golden.snapshot import VIEWS, golden_path, load, page_files, snapshot_of


def _diff(a: Any, b: Any, path: str = "") -> str | None:
    """Where ``a`` and ``b`` first differ (None when they agree)."""
    if isinstance(a, float) or isinstance(b, float):
        numbers = isinstance(a, (int, float)) and isinstance(b, (int, float))
        if numbers and math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6):
            return None
        return f"{path}: {a!r} != {b!r}"
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(set(a) ^ set(b))}"
        for k in a:
            d = _diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def assert_matches_golden(at: Any, page: str, lang: str, classroom: bool) -> None:
    """``at`` (a finished AppTest run of ``page`` at its defaults) shows what its snapshot
    shows. Called by the page suite's default runs, so each page runs once per view."""
    path = golden_path(page, lang, classroom)
    if not path.exists():
        pytest.fail(f"no snapshot {path.name}: run python -m tests.golden.snapshot {page}")
    saved = load(path)
    now = snapshot_of(at)
    assert _diff(saved["text"], now["text"], "text") is None, _diff(saved["text"], now["text"])
    d = _diff(saved["figures"], now["figures"], "figures")
    assert d is None, d


def test_every_page_has_its_snapshots() -> None:
    missing = [golden_path(page, lang, classroom).name for page in page_files()
               for lang, classroom in VIEWS if not golden_path(page, lang, classroom).exists()]
    assert not missing, f"run python -m tests.golden.snapshot for: {missing}"
