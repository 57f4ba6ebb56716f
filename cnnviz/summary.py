"""A per-layer table of a model: output shape, parameters and multiply-adds.

Shapes come from running the model once on zeros (so the table can never disagree with
what the engine computes); costs come from ``cnnviz.formulas``, the same functions the
lesson pages show with their numbers filled in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import formulas, nn

__all__ = ["LayerRow", "summarize", "count_parameters", "total_multiply_adds"]


@dataclass(frozen=True)
class LayerRow:
    """One leaf layer: dotted name, class name, output shape (no batch), params, MACs/image."""

    name: str
    kind: str
    output_shape: tuple[int, ...]
    params: int
    multiply_adds: int


def count_parameters(model: nn.Module) -> int:
    """Number of learnable scalars (weights and biases; BatchNorm's buffers excluded)."""
    return int(sum(p.size for p in model.parameters()))


def _multiply_adds(m: nn.Module, in_shape: tuple[int, ...], out_shape: tuple[int, ...]) -> int:
    """Multiply-adds of one leaf layer for one image (conv and linear; 0 for the rest)."""
    if isinstance(m, nn.Conv2d):
        return formulas.conv_multiply_adds(m.in_channels, m.out_channels, m.kernel_size,
                                           out_shape[-2:], m.groups)
    if isinstance(m, nn.ConvTranspose2d):
        # every input pixel scatters a (C_out/g)·kh·kw patch: a conv read backwards
        return formulas.conv_multiply_adds(m.out_channels, m.in_channels, m.kernel_size,
                                           in_shape[-2:], m.groups)
    if isinstance(m, nn.Linear):
        rows = math.prod(out_shape[:-1])  # extra leading dims besides the batch
        return rows * formulas.linear_multiply_adds(m.in_features, m.out_features)
    return 0


def trace_layers(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)
                 ) -> list[tuple[str, nn.Module, tuple[int, ...], tuple[int, ...]]]:
    """``(name, layer, input shape, output shape)`` of every leaf layer, in forward order.

    Runs one forward on a zero image in eval mode (no running-stat updates, no dropout),
    then restores the model's mode. Shapes exclude the batch dimension.
    """
    leaves = [(n, m) for n, m in model.named_modules() if not list(m.children())]
    records: list[tuple[str, nn.Module, tuple[int, ...], tuple[int, ...]]] = []
    handles = []
    for name, m in leaves:
        def hook(mod: nn.Module, inputs: tuple, out: Any, _name: str = name) -> None:
            records.append((_name, mod, tuple(np.shape(inputs[0]))[1:],
                            tuple(np.shape(out))[1:]))
        handles.append(m.register_forward_hook(hook))
    modes = {id(m): m.training for m in model.modules()}
    try:
        model.eval()
        model(np.zeros((1, *input_shape), dtype=np.float32))
    finally:
        for h in handles:
            h.remove()
        for m in model.modules():
            object.__setattr__(m, "training", modes[id(m)])
    return records


def summarize(model: nn.Module, input_shape: tuple[int, ...] = (1, 28, 28)) -> list[LayerRow]:
    """Rows for every leaf layer in the order the forward pass runs them."""
    return [LayerRow(name or type(m).__name__, type(m).__name__, out_shape,
                     int(sum(p.size for p in m.parameters(recurse=False))),
                     int(_multiply_adds(m, in_shape, out_shape)))
            for name, m, in_shape, out_shape in trace_layers(model, input_shape)]


def total_multiply_adds(model_or_rows: nn.Module | list[LayerRow],
                        input_shape: tuple[int, ...] = (1, 28, 28)) -> int:
    """Multiply-adds of one forward pass for one image."""
    rows = (model_or_rows if isinstance(model_or_rows, list)
            else summarize(model_or_rows, input_shape))
    return sum(r.multiply_adds for r in rows)
