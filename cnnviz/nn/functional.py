"""Stateless ops with forward and backward: ``cnnviz.nn.functional`` (PyTorch's ``F``).

Each op family lives in its own module; this one gathers their public names.
See docs/ARCHITECTURE.md for the ``op`` / ``op_with_cache`` / ``op_backward`` pattern.
"""

from ._activation import *  # noqa: F403
from ._conv import *  # noqa: F403
from ._linear import *  # noqa: F403
from ._norm import *  # noqa: F403
from ._pad import *  # noqa: F403
from ._pool import *  # noqa: F403
from ._resample import *  # noqa: F403
from ._windows import *  # noqa: F403
