"""What defines a training run: ``TrainConfig`` (plain values, so runs can be repeated)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

__all__ = ["TrainConfig"]


@dataclass
class TrainConfig:
    """Everything that defines a training run; two runs with equal configs are identical.

    ``hyper`` holds the optimiser's extra arguments with PyTorch's names (``momentum``,
    ``betas``, ``weight_decay``, ``alpha``, ``rho``, ``eps`` ...). ``init`` is ``None`` (fresh
    PyTorch-style initialisation from ``seed``), ``"pretrained"`` (the bundled weights for
    ``model``), a path to a ``.npz`` file, an open file (an upload), or a state_dict mapping.

    ``standardize``: the model maps its [0, 1] pixels to ``(x - MNIST_MEAN) / MNIST_STD``
    before the first layer (see ``cnnviz.models``). It applies to a fresh model and to a plain
    state_dict ``init``; weights read from a file (``"pretrained"``, a path, or a mapping from
    ``cnnviz.weights.load_weights``) bring their own setting, off for files that do not say.
    """

    model: str = "simple_convnet"
    optimizer: str = "adam"
    lr: float = 1e-3
    hyper: dict[str, Any] = field(default_factory=dict)
    schedule: str = "constant"
    batch_size: int = 100
    epochs: int = 1
    train_limit: int | None = None
    test_limit: int | None = 1000
    eval_every: int = 100
    seed: int = 0
    augment: bool = False
    init: Any = None
    ema: float = 0.95
    standardize: bool = True

    def to_json(self) -> dict[str, Any]:
        """The settings as plain JSON values (a state_dict or uploaded ``init`` is summarised)."""
        return {**asdict(replace(self, init=None)), "init": _init_json(self.init)}


def _init_json(init: Any) -> Any:
    if init is None or isinstance(init, str):
        return init
    if isinstance(init, Path):
        return str(init)
    return "state_dict" if isinstance(init, Mapping) else "file"
