"""The server process's heap: two malloc arenas, so memory a rerun frees is used again.

Streamlit runs every rerun in a fresh thread, and glibc gives threads that allocate at the
same time arenas of their own, up to 8 per core (16 here). Memory a rerun frees stays in
its arena as free space, and every arena grows to its own high-water mark. Measured with
the hold benchmark's learners on one server (6 learners, 5 minutes, Streamlit's own cache
accounting under 4 MB throughout): malloc's free-but-kept heap went from 12 to 83 MB, and
``malloc_trim`` gave back only 5 MB of it; with two arenas it stayed under 20 MB
(benchmarks/LOAD.md, "What grew in the hold").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

ARENAS = 2
"""Arenas for the whole process: one per core of the two-core machine a replica is sized
for. Python's GIL lets only one thread run Python at a time, so threads seldom wait for an
arena."""

_M_ARENA_MAX = -8  # glibc's malloc.h


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """``mallopt(M_ARENA_MAX, arenas)`` on glibc; True when it took. Call it before the
    sessions' threads start (``app.py`` does, when the server imports it): glibc fixes the
    limit once 8 arenas exist. ``MALLOC_ARENA_MAX`` in the environment wins; without glibc
    (macOS, musl) nothing changes."""
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(_M_ARENA_MAX, arenas))
