"""Looking inside a model: its convolution filters and the feature maps of one input, stage by
stage (what the training page and the explorer draw)."""

from __future__ import annotations

import numpy as np

from cnnviz import nn
from cnnviz.training.data import as_images

__all__ = ["ACTIVATIONS", "conv_weights", "feature_maps", "first_conv_weight"]

ACTIVATIONS = ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "ELU", "GELU")
_PASS_THROUGH = (*ACTIVATIONS, "BatchNorm2d", "LocalResponseNorm")


def conv_weights(model: nn.Module, limit: int | None = None) -> list[tuple[str, np.ndarray]]:
    """Copies of the first ``limit`` conv layers' weights (C_out, C_in, kH, kW) with names."""
    found = [(n, np.array(m.weight.data, copy=True)) for n, m in model.named_modules()
             if isinstance(m, nn.Conv2d)]
    return found[:limit]


def first_conv_weight(model: nn.Module) -> np.ndarray:
    """A copy of the first conv layer's weight: the filters grid; ValueError if there is none."""
    found = conv_weights(model, 1)
    if not found:
        raise ValueError(f"{getattr(model, 'name', type(model).__name__)} has no convolution layer")
    return found[0][1]


def _contains_conv(m: nn.Module) -> bool:
    return any(isinstance(sub, nn.Conv2d) for sub in m.modules())


def _flatten_sequential(m: nn.Module, prefix: str = "") -> list[tuple[str, nn.Module]] | None:
    """Modules run one after another, nested Sequentials opened; None if ``m`` is not a chain.

    The chain starts after ``m``'s own input standardisation (the caller applies
    ``m.standardize``); a nested Sequential that standardises its input stays one module.
    """
    if not isinstance(m, nn.Sequential):
        return None
    out: list[tuple[str, nn.Module]] = []
    for name, child in m.named_children():
        full = f"{prefix}{name}"
        opens = isinstance(child, nn.Sequential) and not child.input_standardize
        inner = _flatten_sequential(child, full + ".") if opens else None
        out.extend(inner if inner is not None else [(full, child)])
    return out


def _stage_outputs(model: nn.Sequential, chain: list[tuple[str, nn.Module]],
                   x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Walk ``chain``: a conv stage's output is taken after the activation that follows it."""
    maps: list[tuple[str, np.ndarray]] = []
    pending: tuple[str, np.ndarray] | None = None
    h = model.standardize(x)  # what forward does first (a no-op unless standardising)
    for name, m in chain:
        kind = type(m).__name__
        if pending is not None and (_contains_conv(m) or kind not in _PASS_THROUGH):
            maps.append(pending)
            pending = None
        h = np.asarray(m(h))
        if _contains_conv(m):
            pending = (f"{name}: {kind}", h)
        elif pending is not None:
            pending = (pending[0], h)
            if kind in ACTIVATIONS:
                maps.append(pending)
                pending = None
    if pending is not None:
        maps.append(pending)
    return maps


def feature_maps(model: nn.Module, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """Run ``x`` through ``model`` and collect each conv stage's output after its activation.

    The model is walked as a chain of modules (nested Sequentials opened). A conv layer's
    output is taken after the activation that follows it (skipping BatchNorm / LRN in between);
    a composite block that contains convolutions (residual, depthwise-separable) counts as one
    stage, its output taken after the activation that follows it, if any.
    """
    x = as_images(x)
    chain = _flatten_sequential(model)
    was_training = model.training
    model.eval()
    try:
        if chain is None:  # not a chain: fall back to the final output only
            return [("output", np.asarray(model(x)))]
        maps = _stage_outputs(model, chain, x)
    finally:
        if was_training:
            model.train()
    return [(n, np.array(a, copy=True)) for n, a in maps]
