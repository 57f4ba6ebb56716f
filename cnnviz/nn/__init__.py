"""``cnnviz.nn``: the NumPy CNN engine with PyTorch's names (``import cnnviz.nn as nn``).

Layers and losses are re-exported here; the stateless ops are ``cnnviz.nn.functional``
and the initialisers ``cnnviz.nn.init``; ``set_num_threads`` splits the engine's own work
over threads (``_threads.py``). Imports only NumPy.
"""

from . import functional, init
from ._threads import get_num_threads, set_num_threads
from .init import manual_seed
from .losses import CrossEntropyLoss, MSELoss
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all

__all__ = ["functional", "init", "manual_seed", "get_num_threads", "set_num_threads",
           "CrossEntropyLoss", "MSELoss", *_modules_all]
