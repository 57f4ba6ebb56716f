"""A sliding-window operation as the animator shows it, and the terms of each step (no plotting).

``WindowSpec`` bundles the engine's results for one single-channel window operation; the
animation state is one integer ``step`` mapped to an output cell in raster order, and
``step_terms`` looks up what that step reads, multiplies and adds (CNN Explainer's map from
output cell to input cells; ezyang's 4-D window map).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

import numpy as np

Reducer = Literal["multiply-add", "max", "mean"]


@dataclass(frozen=True)
class WindowSpec:
    """Engine results for one single-channel sliding-window operation.

    ``pad`` is ``(left, right, top, bottom)`` as ``F.pad`` takes it; it only marks which
    cells of ``padded`` are padding (drawn faded, the original area outlined).
    ``bias`` is added after the multiply-add (shown as ``+ b``); ``output`` must include it.
    """

    padded: np.ndarray
    window_map: np.ndarray
    output: np.ndarray
    kernel: np.ndarray | None = None
    pad: tuple[int, int, int, int] = (0, 0, 0, 0)
    reducer: Reducer = "multiply-add"
    bias: float = 0.0
    symbol: str = "s"

    def __post_init__(self) -> None:
        padded = np.asarray(self.padded, dtype=np.float64)
        wmap = np.asarray(self.window_map)
        out = np.asarray(self.output, dtype=np.float64)
        if padded.ndim != 2 or out.ndim != 2:
            raise ValueError("padded and output must be 2-D (one channel)")
        if wmap.ndim != 5 or wmap.shape[:2] != out.shape or wmap.shape[-1] != 2:
            raise ValueError(
                f"window_map must be (Ho, Wo, kh, kw, 2) matching output {out.shape}, "
                f"got {wmap.shape}"
            )
        if self.reducer == "multiply-add":
            if self.kernel is None:
                raise ValueError("multiply-add needs a kernel")
            if np.asarray(self.kernel).shape != wmap.shape[2:4]:
                raise ValueError("kernel shape must match the window map's (kh, kw)")
        elif self.reducer not in ("max", "mean"):
            raise ValueError(f"unknown reducer {self.reducer!r}")
        object.__setattr__(self, "padded", padded)
        object.__setattr__(self, "window_map", wmap.astype(np.int64))
        object.__setattr__(self, "output", out)
        if self.kernel is not None:
            object.__setattr__(self, "kernel", np.asarray(self.kernel, dtype=np.float64))

    @property
    def n_steps(self) -> int:
        """Number of output cells = number of animation steps."""
        return int(self.output.size)

    def cell(self, step: int) -> tuple[int, int]:
        """Output cell (row, col) of ``step`` in raster order."""
        return divmod(int(step) % self.n_steps, self.output.shape[1])


@dataclass(frozen=True)
class StepTerms:
    """What one step shows: the output cell, the window's cells and the written-out sum."""

    out_cell: tuple[int, int]
    cells: np.ndarray  # (n, 2) padded-input (row, col) read by this window, kernel order
    inputs: np.ndarray  # (n,) padded input values at those cells
    weights: np.ndarray | None  # (n,) kernel taps (multiply-add only)
    terms: np.ndarray  # (n,) inputs * weights (multiply-add) or inputs (max/mean)
    total: float  # the engine's output value at out_cell
    bias: float = 0.0
    shape: tuple[int, int] = field(default=(0, 0))  # (kh, kw), for line breaks


def step_terms(spec: WindowSpec, step: int) -> StepTerms:
    """The cells, values and terms of ``step`` (a lookup into the engine's window map)."""
    r, c = spec.cell(step)
    cells = spec.window_map[r, c].reshape(-1, 2)
    inputs = spec.padded[cells[:, 0], cells[:, 1]]
    weights = None
    if spec.reducer == "multiply-add":
        assert spec.kernel is not None
        weights = spec.kernel.reshape(-1)
        terms = inputs * weights
    else:
        terms = inputs
    return StepTerms(
        out_cell=(r, c),
        cells=cells,
        inputs=inputs,
        weights=weights,
        terms=terms,
        total=float(spec.output[r, c]),
        bias=float(spec.bias),
        shape=tuple(spec.window_map.shape[2:4]),  # type: ignore[arg-type]
    )


# ----------------------------------------------------------------------------- written sums
# What a student can check with a calculator: the written-out sum prints rounded numbers, so
# its total is recomputed from the numbers exactly as printed (fractions, no float error);
# where rounding makes that total differ from the engine's, the engine's value is shown
# beside it rather than claimed equal.

MOST_DECIMALS = 4  # a total is printed exactly with up to this many decimals, else rounded


@dataclass(frozen=True)
class Decimals:
    """How many decimals each kind of number is printed with (the figure decides)."""

    inputs: int
    kernel: int = 0
    bias: int = 0
    output: int = 0


def printed(value: float, decimals: int) -> Fraction:
    """``value`` exactly as it reads when printed with ``decimals`` (what a student types)."""
    return Fraction(f"{float(value):.{decimals}f}")


def shown_exactly(values: np.ndarray, decimals: int) -> bool:
    """True when printing ``values`` with ``decimals`` loses nothing (NaN is left out)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return bool(np.allclose(np.round(v, decimals), v, atol=1e-6, rtol=0))


def places(values: list[Fraction], least: int, most: int = MOST_DECIMALS) -> int | None:
    """Fewest decimals (``least``..``most``) that print every value exactly, else None."""
    for d in range(least, most + 1):
        if all((v * 10**d).denominator == 1 for v in values):
            return d
    return None


@dataclass(frozen=True)
class WrittenTotal:
    """A step's total as a student recomputes it from the printed numbers.

    ``value`` is the printed products' sum (plus the printed bias), the printed values'
    mean (``parts_sum`` ÷ ``count``) or their maximum. It is printed with ``decimals``:
    exactly (``exact``), or rounded and written with "≈". ``rounded_factors`` says some
    printed factor is not the engine's number, so the written sum only approximates the
    step; ``engine_shown`` that the engine's value reads differently at those decimals and
    is printed beside the total.
    """

    value: Fraction
    decimals: int
    exact: bool
    rounded_factors: bool
    engine: float
    engine_shown: bool
    parts_sum: Fraction = Fraction(0)
    count: int = 0

    @property
    def shown(self) -> Fraction:
        """The total as printed (rounded half to even, as Python prints floats)."""
        return Fraction(round(self.value, self.decimals))


def _reduce(spec: WindowSpec, st: StepTerms, dec: Decimals) -> tuple[Fraction, Fraction, int]:
    """The printed numbers' result: (value, sum of the parts, count for a mean)."""
    xs = [printed(x, dec.inputs) for x in st.inputs if np.isfinite(x)]
    if spec.reducer == "max":
        return max(xs), Fraction(0), 0
    if spec.reducer == "mean":
        return sum(xs, Fraction(0)) / len(xs), sum(xs, Fraction(0)), len(xs)
    assert st.weights is not None
    total = sum((printed(x, dec.inputs) * printed(w, dec.kernel)
                 for x, w in zip(st.inputs, st.weights)), Fraction(0))
    if spec.bias != 0.0:
        total += printed(spec.bias, dec.bias)
    return total, Fraction(0), 0


def written_total(spec: WindowSpec, step: int, dec: Decimals) -> WrittenTotal:
    """The total of ``step``'s written-out sum, recomputed from its printed numbers."""
    st = step_terms(spec, step)
    value, parts_sum, count = _reduce(spec, st, dec)
    exact_at = places([value], dec.output)
    decimals = exact_at if exact_at is not None else max(dec.output, 2)
    rounded = not shown_exactly(st.inputs, dec.inputs) or (
        st.weights is not None and not shown_exactly(st.weights, dec.kernel)) or (
        spec.bias != 0.0 and not shown_exactly(np.array([spec.bias]), dec.bias))
    shown = Fraction(round(value, decimals))
    engine_shown = printed(st.total, decimals) != shown
    return WrittenTotal(value, decimals, exact_at is not None, rounded, st.total, engine_shown,
                        parts_sum, count)


def stamp_products(value: float, row: np.ndarray, dec: Decimals) -> tuple[list[Fraction], int,
                                                                          bool]:
    """A transposed conv's stamp row as printed: printed ``value`` × each printed tap.

    Returns the products, the decimals that print them and whether that is exact.
    """
    x = printed(value, dec.inputs)
    products = [x * printed(w, dec.kernel) for w in row]
    exact_at = places(products, dec.output)
    if exact_at is not None:
        return products, exact_at, True
    return products, max(dec.output, 2), False
