"""Every content entry the code asks for exists: pages' ``ui.prose`` / ``ui.explain_entry``
(keyed by their registered slug) and lesson logic's ``entry(slug, key)``. A typo in a key
would otherwise only fail when a learner reaches that line."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from cnnviz.content import lesson_text
from cnnviz.lessons.registry import LESSONS, by_page

ROOT = Path(__file__).resolve().parent.parent


def _keys(node: ast.expr) -> list[str]:
    """The string constants an argument can evaluate to (a name, or a conditional of names);
    none for a key built at run time (an f-string)."""
    if any(isinstance(n, ast.JoinedStr) for n in ast.walk(node)):
        return []
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)]


def _asked(path: Path, page_slug: str | None) -> list[tuple[str, str, int]]:
    """(slug, key, line) of every content lookup in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or len(node.args) < 2:
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name in ("prose", "explain_entry") and page_slug is not None:
            slug = page_slug
        elif name == "entry" and isinstance(node.args[0], ast.Constant):
            slug = node.args[0].value
        else:
            continue
        found += [(slug, key, node.lineno) for key in _keys(node.args[1])]
    return found


FILES = [(p, by_page(p.name).slug) for p in sorted((ROOT / "pages").glob("*.py"))] + [
    (p, None) for p in sorted((ROOT / "cnnviz").rglob("*.py"))
]


@pytest.mark.parametrize("path,slug", FILES, ids=lambda v: getattr(v, "name", None) or "")
def test_every_content_key_in_the_code_exists(path: Path, slug: str | None) -> None:
    for entry_slug, key, line in _asked(path, slug):
        assert key in lesson_text(entry_slug), (
            f"{path.relative_to(ROOT)}:{line} asks for [{key}] of {entry_slug}.toml")


def test_the_check_finds_the_lookups() -> None:
    page = ROOT / "pages" / "1_convolution.py"
    keys = {key for _, key, _ in _asked(page, "convolution")}
    assert {"full_same", "full_differ", "sizes", "explain"} <= keys
    assert all(lesson.slug for lesson in LESSONS)


def test_every_architecture_story_has_its_prose() -> None:
    from cnnviz.lessons.architectures import STORIES

    for story in STORIES:
        assert story.text("en") and story.text("zh")
