"""app.py's navigation, built from the lesson registry (``cnnviz.lessons.registry``).

Every registered page is listed (a test checks each row's file exists and each file in
``pages/`` has a row); ``url_path`` is the lesson's slug, the same in every language, so
links survive a language switch.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from cnnviz.lessons.registry import HOME, LESSONS, SECTIONS
from cnnviz.ui.common import lang

ROOT = Path(__file__).resolve().parents[2]
PAGES_DIR = ROOT / "pages"


def build_pages(root: Path = ROOT) -> dict[str, list[st.Page]]:
    """``{section title: [st.Page, ...]}`` for ``st.navigation``; home is the default."""
    pages: dict[str, list[st.Page]] = {}
    for lesson in LESSONS:
        page = st.Page(
            root / "pages" / lesson.page,
            title=lesson.heading(lang()),
            icon=lesson.icon,
            url_path=lesson.slug,
            default=lesson is HOME,
        )
        pages.setdefault(SECTIONS[lesson.section].get(lang()), []).append(page)
    return pages
