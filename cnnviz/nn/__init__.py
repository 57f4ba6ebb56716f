"""``cnnviz.nn``: the NumPy CNN engine with PyTorch's names (``import cnnviz.nn as nn``).

Layers and losses are re-exported here; the stateless ops are ``cnnviz.nn.functional``
and the initialisers ``cnnviz.nn.init``. Imports only NumPy.
"""

from . import functional, init
from .init import manual_seed
from .losses import CrossEntropyLoss, MSELoss
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all

__all__ = ["functional", "init", "manual_seed", "CrossEntropyLoss", "MSELoss", *_modules_all]
