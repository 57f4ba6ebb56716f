"""Per-lesson prose in TOML files a teacher can edit without touching Python.

``cnnviz/content/<slug>.toml`` holds one table per entry, each with ``en`` and ``zh``::

    [intro]
    en = "A small grid of weights (the kernel) slides over the image..."
    zh = "一个小的权重网格（卷积核）在图像上滑动……"

Entries may use ``{name}`` placeholders, filled with ``Text.format`` (``entry(slug, key,
name=...)``). A test checks every entry has both languages and the same placeholders in each.
Long lines wrap with TOML's line-ending backslash, which joins the lines without a break.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from cnnviz.i18n import Text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONTENT_DIR = Path(__file__).resolve().parent


def content_files() -> list[Path]:
    """Every lesson's content file."""
    return sorted(CONTENT_DIR.glob("*.toml"))


@cache
def lesson_text(slug: str) -> Mapping[str, Text]:
    """The entries of ``<slug>.toml`` as ``Text`` (empty when the lesson has no file)."""
    path = CONTENT_DIR / f"{slug}.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as f:
        raw = tomllib.load(f)
    return {key: Text(entry["en"].strip(), entry["zh"].strip()) for key, entry in raw.items()}


def entry(slug: str, key: str, **values: object) -> Text:
    """Entry ``key`` of ``<slug>.toml``, its ``{placeholders}`` filled from ``values``.

    Without values the text is returned as written (it may hold literal braces).
    """
    entries = lesson_text(slug)
    if key not in entries:
        raise KeyError(f"cnnviz/content/{slug}.toml has no [{key}] entry")
    text = entries[key]
    return text.format(**values) if values else text
