"""House rules for figure code, checked from the source: functions a reader can hold in
their head, one form for bilingual text, and style taken from the style module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "cnnviz"
VIZ = sorted((PACKAGE / "viz").glob("*.py"))
LESSON_LOGIC = sorted(p for p in (PACKAGE / "lessons").glob("*.py") if p.name != "registry.py")
MAX_LINES = 100


@pytest.mark.parametrize("path", VIZ + LESSON_LOGIC, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_function_over_a_hundred_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [f"{n.name}: {n.end_lineno - n.lineno + 1} lines" for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.end_lineno is not None and n.end_lineno - n.lineno + 1 > MAX_LINES]
    assert not long, long


@pytest.mark.parametrize("path", VIZ, ids=lambda p: p.name)
def test_bilingual_text_has_one_form(path: Path) -> None:
    """``Text(en, zh).get(lang)`` (or ``common``), never ``pick`` or a test of the language."""
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"\bpick\(", source)
    assert not re.search(r"""lang\s*[!=]=\s*["']""", source)


@pytest.mark.parametrize("path", VIZ, ids=lambda p: p.name)
def test_style_comes_from_the_style_module(path: Path) -> None:
    """Only the animation figure itself is imported from the animator, never its style."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "cnnviz.viz.window_animation":
            assert {a.name for a in node.names} <= {"window_animation_figure"}, node.lineno
