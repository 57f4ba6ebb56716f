"""``cnnviz.nn.modules``: every layer, plus saving and loading weights as .npz.

The layers live in ``_layers_base`` (Parameter, Module, Sequential), ``_layers_basic``
(one op each) and ``_layers_blocks`` (residual, separable, factorised); this module is
the public place to import them from. Saved files carry a small metadata entry (model
name, cnnviz version, input standardisation) so a page can tell "weights of another model"
from a broken file and a loaded model sees its input as it did in training.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from ._layers_base import (
    Flatten,
    Identity,
    IncompatibleKeys,
    Module,
    Parameter,
    Sequential,
    input_metadata,
    input_stats_from_metadata,
)
from ._layers_basic import (
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv2d,
    ConvTranspose2d,
    Dropout,
    GlobalAvgPool2d,
    LeakyReLU,
    Linear,
    LocalResponseNorm,
    MaxPool2d,
    ReLU,
    Sigmoid,
    Tanh,
    Upsample,
)
from ._layers_blocks import DepthwiseSeparableConv2d, FactorisedConv2d, ResidualBlock

__all__ = [
    "Parameter", "Module", "Sequential", "Identity", "Flatten", "IncompatibleKeys",
    "Conv2d", "ConvTranspose2d", "Linear", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "GlobalAvgPool2d", "Upsample", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Dropout",
    "BatchNorm2d", "BatchNorm1d", "LocalResponseNorm", "ResidualBlock",
    "DepthwiseSeparableConv2d", "FactorisedConv2d",
    "StateDict", "StateFileError", "save", "load_state", "load",
    "input_metadata", "input_stats_from_metadata",
]

_META_KEY = "__cnnviz_meta__"
_FORMAT = "cnnviz-state-1"


class StateFileError(ValueError):
    """The file is not a readable cnnviz weights file (truncated, not .npz, ...)."""


class StateDict(OrderedDict):
    """A state dict read from a file, with its ``metadata`` (model name, version, extras)."""

    metadata: dict[str, Any]

    def __init__(self, *args: Any, metadata: dict[str, Any] | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.metadata = dict(metadata or {})


def _version() -> str:
    try:
        from .. import __version__
    except ImportError:  # pragma: no cover
        return "unknown"
    return str(__version__)


def save(module: Module, path: str | os.PathLike, **metadata: Any) -> None:
    """Write ``module.state_dict()`` to ``path`` (.npz) with a metadata entry.

    ``metadata`` adds JSON-serialisable extras (epoch, accuracy, ...); the model name
    is taken from ``module.name`` when the module has one (models from ``build_model``), and
    its input standardisation is recorded (``input_standardize``, ``input_mean``,
    ``input_std``) so that loading the file restores it.
    """
    meta = {"format": _FORMAT, "model": getattr(module, "name", None),
            "class": type(module).__name__, "cnnviz_version": _version(),
            **input_metadata(module), **metadata}
    arrays: dict[str, np.ndarray] = dict(module.state_dict())
    arrays[_META_KEY] = np.array(json.dumps(meta))
    with open(os.fspath(path), "wb") as fh:  # exact path: np.savez would append ".npz"
        np.savez(fh, **arrays)


def load_state(path: str | os.PathLike) -> StateDict:
    """Read a file written by :func:`save`; raises StateFileError if it is not one."""
    try:
        with np.load(os.fspath(path), allow_pickle=False) as data:
            arrays = {k: np.array(data[k]) for k in data.files}
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as exc:
        raise StateFileError(f"{os.fspath(path)} is not a readable weights file: {exc}") from exc
    if not isinstance(arrays, dict) or _META_KEY not in arrays:
        raise StateFileError(f"{os.fspath(path)} has no cnnviz metadata: not a cnnviz weights file")
    try:
        meta = json.loads(str(arrays.pop(_META_KEY)))
    except json.JSONDecodeError as exc:
        raise StateFileError(f"{os.fspath(path)} has broken metadata: {exc}") from exc
    return StateDict(arrays, metadata=meta)


load = load_state


def _module_save(self: Module, path: str | os.PathLike, **metadata: Any) -> None:
    """``model.save(path)``: the same as ``nn.save(model, path)``."""
    save(self, path, **metadata)


Module.save = _module_save  # type: ignore[attr-defined]
