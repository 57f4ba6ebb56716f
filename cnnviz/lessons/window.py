"""A sliding-window operation as the animator shows it, and the terms of each step (no plotting).

``WindowSpec`` bundles the engine's results for one single-channel window operation; the
animation state is one integer ``step`` mapped to an output cell in raster order, and
``step_terms`` looks up what that step reads, multiplies and adds (CNN Explainer's map from
output cell to input cells; ezyang's 4-D window map).
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
