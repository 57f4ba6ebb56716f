"""The house rules, checked from the source: one lesson registry that matches pages/, imports
that run one way (engine ← lesson logic ← viz ← ui ← pages), no cycle between the package's
parts, and every content entry in both languages.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cnnviz.content import content_files, lesson_text
from cnnviz.lessons.registry import LESSONS, SECTIONS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cnnviz"
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
PLOTTING = {"plotly", "matplotlib", "kaleido"}
STREAMLIT = {"streamlit", "streamlit_drawable_canvas"}


def _imports(path: Path) -> Iterator[tuple[str, int]]:
    """Every module ``path`` imports (absolute names; relative ones resolved), with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1] if parts[-1] != "__init__" else parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
                names = [module] if node.module else [f"{module}.{a.name}" for a in node.names]
                for name in names:
                    yield name, node.lineno
            else:
                yield node.module or "", node.lineno
                for alias in node.names:  # "from cnnviz import nn" imports cnnviz.nn
                    if node.module == "cnnviz" and _is_submodule(alias.name):
                        yield f"cnnviz.{alias.name}", node.lineno


def _is_submodule(name: str) -> bool:
    return (PACKAGE / f"{name}.py").is_file() or (PACKAGE / name / "__init__.py").is_file()


def part(module: str) -> str:
    """The package part a cnnviz module belongs to: "nn", "viz", "ui", "lessons", ..."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and _is_submodule(pieces[1]) else "cnnviz"


# what each layer of the package may import, besides the standard library
ENGINE = {"nn", "optim"}
VIZ, UI = {"viz"}, {"ui"}
LOGIC = {
    p.stem if p.is_file() else p.name
    for p in PACKAGE.iterdir()
    if (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))
    and p.stem not in {"__init__", "__main__"}
} - ENGINE - VIZ - UI


def _package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE).parts
    name = rel[0].removesuffix(".py")
    if name in ENGINE:
        return "engine"
    if name in VIZ:
        return "viz"
    if name in UI:
        return "ui"
    return "logic"


ALLOWED_PARTS = {
    "engine": ENGINE | {"cnnviz"},
    "logic": ENGINE | LOGIC | {"cnnviz"},
    "viz": ENGINE | LOGIC | VIZ | {"cnnviz"},
    "ui": ENGINE | LOGIC | VIZ | UI | {"cnnviz"},
}


@pytest.mark.parametrize("path", _package_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_run_one_way(path: Path) -> None:
    layer = _layer(path)
    for module, line in _imports(path):
        top = module.split(".")[0]
        where = f"{path.relative_to(ROOT)}:{line} imports {module}"
        if top == "cnnviz":
            assert part(module) in ALLOWED_PARTS[layer], f"{where} ({layer} layer)"
        elif layer == "engine":
            assert top in STDLIB | {"numpy"}, f"{where}: the engine is NumPy only"
        elif layer == "logic":
            assert top not in PLOTTING | STREAMLIT, f"{where}: lesson logic draws nothing"
        elif layer == "viz":
            assert top not in STREAMLIT, f"{where}: figures know no Streamlit"


def test_streamlit_only_in_ui_pages_and_app() -> None:
    outside = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
    assert any(m.split(".")[0] == "streamlit" for f in outside for m, _ in _imports(f))
    for path in _package_files():
        if _layer(path) != "ui":
            tops = {m.split(".")[0] for m, _ in _imports(path)}
            assert not tops & STREAMLIT, f"{path.relative_to(ROOT)} imports Streamlit"


def test_no_cycle_between_parts() -> None:
    graph: dict[str, set[str]] = {}
    for path in _package_files():
        rel = path.relative_to(PACKAGE).parts
        src = rel[0].removesuffix(".py") if rel[0] != "__init__.py" else "cnnviz"
        for module, _ in _imports(path):
            if module.startswith("cnnviz.") and part(module) != src:
                graph.setdefault(src, set()).add(part(module))
    graph.pop("cnnviz", None)  # the package's __init__ may re-export its parts

    def visit(node: str, trail: list[str]) -> None:
        assert node not in trail, "import cycle: " + " → ".join([*trail, node])
        for nxt in sorted(graph.get(node, ())):
            visit(nxt, [*trail, node])

    for start in sorted(graph):
        visit(start, [])


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    """The rules above can fail: a file that imports ui from the engine is caught."""
    bad = PACKAGE / "nn" / "_probe_bad_import.py"
    bad.write_text("from cnnviz.ui import t\nimport streamlit\n", encoding="utf-8")
    try:
        with pytest.raises(AssertionError):
            test_imports_run_one_way(bad)
    finally:
        bad.unlink()


def test_every_page_is_registered_and_every_row_has_its_page() -> None:
    files = {p.name for p in (ROOT / "pages").glob("*.py")}
    rows = [lesson.page for lesson in LESSONS]
    assert len(rows) == len(set(rows)), "a page is registered twice"
    assert set(rows) - files == set(), f"registered but missing: {set(rows) - files}"
    assert files - set(rows) == set(), f"in pages/ but not registered: {files - set(rows)}"
    slugs = [lesson.slug for lesson in LESSONS]
    assert len(slugs) == len(set(slugs))
    assert all(lesson.section in SECTIONS for lesson in LESSONS)
    numbers = [lesson.number for lesson in LESSONS if lesson.number is not None]
    assert len(numbers) == len(set(numbers)), "two lessons share a number"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_every_page_takes_its_title_from_the_registry(lesson) -> None:  # noqa: ANN001
    source = (ROOT / "pages" / lesson.page).read_text(encoding="utf-8")
    assert "ui.page_title(__file__)" in source
    assert lesson.title.en and lesson.title.zh
    assert (PACKAGE / "content" / f"{lesson.slug}.toml").is_file(), "its content file"


@pytest.mark.parametrize("path", content_files(), ids=lambda p: p.name)
def test_content_entries_have_both_languages(path: Path) -> None:
    entries = lesson_text(path.stem)
    assert entries, f"{path.name} is empty"
    for key, text in entries.items():
        assert text.en.strip() and text.zh.strip(), f"{path.name}: [{key}] lacks a language"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in text.zh), f"{path.name}: [{key}] zh"
        en, zh = text.placeholders()
        assert en == zh, f"{path.name}: [{key}] placeholders differ: {en} vs {zh}"


MAX_FUNCTION_LINES = 100


@pytest.mark.parametrize("path", _package_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_function_over_a_hundred_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [f"{n.name}: {n.end_lineno - n.lineno + 1} lines" for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
            and n.end_lineno is not None and n.end_lineno - n.lineno + 1 > MAX_FUNCTION_LINES]
    assert not long, long


SOURCES = [*_package_files(), *sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_bilingual_text_takes_one_form(path: Path) -> None:
    """Text (or ui.t's inline pair, which makes one): no language tests, no (en, zh) tuples,
    no ``*_zh`` attributes, no ``pick``."""
    if path.name == "i18n.py":
        return
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and any(
            isinstance(c, ast.Constant) and c.value == "zh" for c in node.comparators
        ):
            pytest.fail(f"{path.name}:{node.lineno} tests the language; use Text")
        if isinstance(node, ast.Tuple) and len(node.elts) == 2 and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts
        ) and any("\u4e00" <= ch <= "\u9fff" for ch in node.elts[1].value):
            pytest.fail(f"{path.name}:{node.lineno} an (en, zh) tuple; use Text")
        if isinstance(node, ast.Attribute) and node.attr.endswith("_zh"):
            pytest.fail(f"{path.name}:{node.lineno} .{node.attr}; use a Text field")
        if isinstance(node, ast.Name) and node.id == "pick":
            pytest.fail(f"{path.name}:{node.lineno} pick(); use Text(en, zh).get(lang)")


@pytest.mark.parametrize("part", ["nn", "data", "lessons", "training", "viz", "ui"])
def test_tests_mirror_the_package(part: str) -> None:
    """Each part of cnnviz has its tests in tests/<part> (plus tests/pages, tests/browser)."""
    assert (PACKAGE / part / "__init__.py").is_file()
    assert list((ROOT / "tests" / part).glob("test_*.py")), f"tests/{part} has no tests"
