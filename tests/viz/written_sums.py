"""Read a figure's written-out sums back as a student with a calculator would.

Every animated figure writes its step's arithmetic as a monospace annotation. These helpers
parse that text from the figure JSON (numbers with a true minus, ``(−1)`` in brackets,
``−∞`` for max pooling's padding), recompute the total from the printed numbers with exact
fractions, and say what does not add up. Used on figures built the way pages build them and
on the pages' golden snapshots.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

MONO_HINT = "Mono"
NUMBER = r"\(?−?\d+(?:\.\d+)?\)?"
HEAD = re.compile(r"^(?P<sym>\S+)\[(?P<r>\d+),(?P<c>\d+)\] (?P<rel>[=≈]) (?P<rest>.*)$")
TOTAL = re.compile(
    r"^\s+(?:= (?P<sum>−?\d+(?:\.\d+)?) ÷ (?P<n>\d+) )?(?P<rel>[=≈]) (?P<total>−?\d+(?:\.\d+)?)"
    r"(?:\s+(?:\(engine: |（引擎：)(?P<engine>−?\d+(?:\.\d+)?)[)）])?$")
STAMP = re.compile(r"^(?P<head>.*?)(?P<x>\(?−?\d+(?:\.\d+)?\)?)·\[(?P<k>[^\]]*)\] (?P<rel>[=≈]) "
                   r"\[(?P<out>[^\]]*)\]$")


def number(text: str) -> Fraction:
    """A printed number as the exact value a student types in."""
    return Fraction(text.strip().strip("()").replace("−", "-"))


def decimals(text: str) -> int:
    """How many decimals a printed number has."""
    return len(text.split(".")[1]) if "." in text else 0


def agrees(value: Fraction, printed: str, rel: str) -> str | None:
    """None when ``printed`` is ``value`` (``=``) or ``value`` rounded to its decimals (``≈``)."""
    shown = number(printed)
    if rel == "=":
        return None if value == shown else f"{float(value)} printed as = {printed}"
    half = Fraction(1, 2 * 10 ** decimals(printed))
    return None if abs(value - shown) <= half else f"{float(value)} printed as ≈ {printed}"


def equations(fig: dict[str, Any]) -> list[str]:
    """The written-out text of the first screen and of every frame of an animated figure."""
    layouts = [fig.get("layout", {})] + [f.get("layout", {}) for f in fig.get("frames") or []]
    out = []
    for layout in layouts:
        for a in layout.get("annotations") or []:
            if MONO_HINT in str(a.get("font", {}).get("family", "")):
                out.append(a["text"])
    return out


def _window_terms(body: list[str]) -> tuple[str, list[Fraction]]:
    """The reducer and the printed values of a window sum (products for a multiply-add)."""
    text = " + ".join(line.strip().lstrip("+").strip() for line in body)
    m = re.match(r"^(max|mean|平均)\( (.*) \)$", text)
    if m:
        values = [number(v) for v in m.group(2).replace(" + ", ", ").split(", ")
                  if v.strip() != "−∞"]
        return ("max" if m.group(1) == "max" else "mean"), values
    terms = []
    for piece in text.split(" + "):
        piece = piece.strip()
        if piece.startswith("b ("):
            terms.append(number(piece[3:-1]))
            continue
        a, b = piece.split("·")
        if not re.fullmatch(NUMBER, a) or not re.fullmatch(NUMBER, b):
            raise ValueError(f"not a product: {piece!r}")
        terms.append(number(a) * number(b))
    return "sum", terms


def check_window(text: str) -> list[str]:
    """What does not add up in one step's written sum (empty when it all checks out)."""
    lines = text.split("<br>")
    head = HEAD.match(lines[0])
    total = TOTAL.match(lines[-1])
    if not head or not total:
        return [f"cannot read {text!r}"]
    kind, values = _window_terms([head.group("rest"), *lines[1:-1]])
    problems = []
    if kind == "max":
        value = max(values)
    elif kind == "mean":
        value = sum(values, Fraction(0)) / len(values)
        if total.group("sum") is None:
            problems.append("a mean without its sum ÷ n")
        elif (number(total.group("sum")), int(total.group("n"))) != (value * len(values),
                                                                      len(values)):
            problems.append(f"sum ÷ n reads {total.group('sum')} ÷ {total.group('n')}")
    else:
        value = sum(values, Fraction(0))
    wrong = agrees(value, total.group("total"), total.group("rel"))
    return problems + ([f"{lines[0]}: {wrong}"] if wrong else [])


def check_stamps(text: str) -> list[str]:
    """What does not multiply out in one step of a transposed conv's stamp lines."""
    problems = []
    rows = [STAMP.match(line) for line in text.split("<br>")[:-1]]
    if not rows or not all(rows):
        return [f"cannot read {text!r}"]
    for m in rows:
        assert m is not None
        x = number(m.group("x"))
        taps = [number(k) for k in m.group("k").split(", ")]
        for tap, shown in zip(taps, m.group("out").split(", "), strict=True):
            wrong = agrees(x * tap, shown, m.group("rel"))
            if wrong:
                problems.append(f"{m.group(0)}: {wrong}")
    return problems


ARITHMETIC = re.compile(rf"^{NUMBER}(?:\s*[·+]\s*{NUMBER})*$")


def _evaluate(expr: str) -> Fraction:
    """A printed sum of products (``2·1 + 0·−2 + 3``) as the exact value."""
    total = Fraction(0)
    for term in re.split(r"\s*\+\s*", expr):
        value = Fraction(1)
        for factor in term.split("·"):
            value *= number(factor)
        total += value
    return total


def check_lines(text: str) -> list[str]:
    """A linked animation's lines (``lessons`` im2col, pooling backward): every ``a = b``
    whose two sides are printed arithmetic must hold exactly (names such as ``X[1,0]`` are
    not arithmetic and are skipped)."""
    problems = []
    for line in text.split("<br>"):
        parts = [p.strip() for p in line.split(" = ")]
        for a, b in zip(parts, parts[1:]):
            if ARITHMETIC.match(a) and ARITHMETIC.match(b) and _evaluate(a) != _evaluate(b):
                problems.append(f"{line}: {a} ≠ {b}")
    return problems


def check_figure(fig: dict[str, Any]) -> tuple[int, list[str]]:
    """(steps read, problems) over the first screen and every frame of an animated figure."""
    texts = equations(fig)
    problems = []
    for text in texts:
        first = text.split("<br>")[0]
        stamp = "·[" in first
        if stamp:
            problems += check_stamps(text)
        elif HEAD.match(first) or not first.strip():
            problems += check_window(text)
        else:  # a linked animation: a heading line, then its sums
            problems += check_lines(text)
    return len(texts), problems
