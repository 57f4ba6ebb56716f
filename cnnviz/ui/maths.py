"""Formulas that wrap instead of losing their answer off the right edge (no Streamlit).

A formula with its numbers filled in ends with the answer ("… + 1 = 158"); KaTeX does not
wrap, so in a narrow column the answer was clipped. ``wrap_latex`` breaks a formula that
would not fit into aligned lines: at its top-level ``\\quad`` separators, and each
``a = b = c`` chain at its ``=`` signs, so the answer gets a line of its own.
"""

from __future__ import annotations

import re

CHAR_EM = 0.62  # width of an average formula character (operators carry their spacing)
_COMMAND = re.compile(r"\\(text|mathrm|mathbf|operatorname)\{|\\(left|right)|\\[a-zA-Z]+|[{}\s]")


def visible_chars(latex: str) -> int:
    """About how many characters ``latex`` shows (a command such as ``\\cdot`` is one)."""

    def one(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2) or m.group(0) in "{} \t\n":
            return ""
        return "x"

    return len(_COMMAND.sub(one, latex.replace(r"\quad", "  ")))


def split_top(latex: str, sep: str) -> list[str]:
    """``latex`` cut at each ``sep`` outside braces (``\\frac{a=b}{c}`` stays whole)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\" and not latex.startswith(sep, i):
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and latex.startswith(sep, i):
            parts.append(latex[start:i])
            start = i + len(sep)
            i = start
            continue
        i += 1
    parts.append(latex[start:])
    return [p.strip() for p in parts]


def _lines(segment: str, max_chars: int) -> list[str]:
    """One ``\\quad`` segment as aligned lines: ``lhs &= rhs`` then ``&= …`` for the rest."""
    chain = split_top(segment, "=")
    if len(chain) == 1:
        return [f"&{segment}"]
    if len(chain) == 2 and visible_chars(segment) <= max_chars:
        return [f"{chain[0]} &= {chain[1]}"]
    return [f"{chain[0]} &= {chain[1]}"] + [f"&= {part}" for part in chain[2:]]


def wrap_latex(latex: str, max_chars: int) -> str:
    """``latex`` as it is when it fits ``max_chars`` characters, else as aligned lines."""
    if visible_chars(latex) <= max_chars or r"\begin" in latex:
        return latex
    segments = [s.rstrip(",").strip() for s in split_top(latex, r"\quad")]
    lines = [line for s in segments if s for line in _lines(s, max_chars)]
    if len(lines) == 1:
        return latex
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def chars_that_fit(width_px: float, font_px: float) -> int:
    """How many formula characters fit ``width_px`` at ``font_px``."""
    return max(8, int(width_px / (CHAR_EM * font_px)))
