"""What a learner sees on every page at its defaults, saved once and compared after refactors.

``python -m tests.golden.snapshot`` (re)writes ``tests/golden/<page>.<lang>.<mode>.json.gz``:
every plotly figure (the JSON the browser receives) and every visible text of the page under
AppTest. ``tests/golden/test_golden.py`` reruns the pages and compares. Regenerate only for a
change that is meant to alter what learners see, and say so in the commit message.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any

from tests.pages.apptest_helpers import all_text, plotly_figures, run_page

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
# (language, classroom) combinations saved for every page
VIEWS = [("en", False), ("zh", True)]


def page_files() -> list[str]:
    """Every page file name under pages/ (the registry is checked against these elsewhere)."""
    return sorted(p.name for p in (ROOT / "pages").glob("*.py"))


def snapshot_of(at: Any) -> dict[str, Any]:
    """The figures and texts of a finished AppTest run."""
    assert not at.exception, [e.value for e in at.exception]
    return {"figures": plotly_figures(at), "text": all_text(at).splitlines()}


def capture(page: str, lang: str, classroom: bool) -> dict[str, Any]:
    """The figures and texts of ``page`` at its defaults."""
    return snapshot_of(run_page(page, lang=lang, classroom=classroom))


def golden_path(page: str, lang: str, classroom: bool) -> Path:
    return HERE / f"{Path(page).stem}.{lang}.{'classroom' if classroom else 'normal'}.json.gz"


def load(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def save(pages: list[str]) -> None:
    for page in pages:
        for lang, classroom in VIEWS:
            data = capture(page, lang, classroom)
            path = golden_path(page, lang, classroom)
            text = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
            with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as f:  # same bytes
                f.write(text)                                 # for the same snapshot
            print(f"{path.name}: {len(data['figures'])} figures, {path.stat().st_size} bytes")


if __name__ == "__main__":
    save(sys.argv[1:] or page_files())
