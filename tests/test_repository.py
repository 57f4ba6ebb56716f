"""The repository's promises: the README's two commands, the engine's imports, ruff."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """The lines of the README's first code block."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1]
    return [line for line in block.splitlines()[1:] if line.strip()]


def test_readme_opens_with_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    before = text.split("```", 1)[0]
    assert [line for line in before.splitlines() if line.strip()] == ["# cnnviz"]
    commands = readme_commands()
    assert len(commands) == 2
    assert "streamlit run app.py" in commands[0]
    assert "pytest" in commands[1] and "requirements-test.txt" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "torch==2.13.0" in ci and "chromium" in ci
    assert "grep -m1 '^pip install -r requirements-test.txt' README.md" in ci
    assert readme_commands()[1].startswith("pip install -r requirements-test.txt")


def test_torch_is_never_a_requirement() -> None:
    for name in ("requirements.txt", "requirements-test.txt"):
        lines = (ROOT / name).read_text(encoding="utf-8").lower().splitlines()
        assert not any(line.strip().startswith("torch") for line in lines), name


def test_ruff_clean() -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    result = subprocess.run([ruff, "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_readme_engine_example_runs() -> None:
    """The README's engine example is real code: run it and check it learned a step."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = text.split("```python", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    assert 2.0 < namespace["loss"] < 2.6  # ln(10) ≈ 2.30 for an untrained 10-class model
    assert namespace["model"][0].weight.grad.shape == (30, 1, 5, 5)
