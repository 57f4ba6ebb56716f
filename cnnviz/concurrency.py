"""Sharing one server between a class: bounded BLAS threads and a limit on concurrent trainings.

Streamlit runs every browser session's script in a thread of ONE Python process, so thirty
students share the machine's cores. Two things keep a training from slowing everyone's pages:

* :func:`training_threads` caps the BLAS (OpenBLAS) threads a training chunk uses, by default
  1, so two trainings on a 2-core server use one core each instead of both fighting for both
  (``CNNVIZ_TRAIN_THREADS``). OpenBLAS's thread count is a *process-wide* setting, not a
  per-thread one, so the cap is reference-counted: the first chunk to enter sets it and the last
  one to leave restores the original; a naive nested ``threadpool_limits`` per session would
  restore the wrong value when two sessions' chunks overlap. While any training runs, lesson
  pages' NumPy calls also run single-threaded; with many sessions that is the fair choice anyway.
  ``threadpoolctl`` is the only portable way to change the thread count of the BLAS that NumPy
  bundles at run time (environment variables are read once, at import); without it this is a
  no-op.
* While the BLAS is capped to one thread, the engine splits its own work (column copies,
  batch norm, pooling, products by output columns) over ``CNNVIZ_ENGINE_THREADS`` threads
  (default: the cores; ``cnnviz.nn.set_num_threads``), so one learner training alone still
  uses both cores of a 2-core server; two at once share them.
* :data:`TRAINING_SLOTS` lets at most ``CNNVIZ_MAX_TRAININGS`` sessions (default: the number of
  cores) train at once; the others are told their place in a FIFO queue
  (:func:`waiting_message`) instead of everybody's training and pages slowing down together.
  Slots are *leases*: each chunk renews its session's lease, and a session that stops ticking
  (tab closed, page left) loses its slot or its place after ``lease_seconds`` (10 s), so a
  vanished student never blocks the class.

No Streamlit here: the training page calls it (see ``docs/DEPLOY.md`` for the wiring).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cnnviz import nn

__all__ = [
    "ENV_ENGINE_THREADS",
    "ENV_MAX_TRAININGS",
    "ENV_TRAIN_THREADS",
    "ENV_TRAINING_TURN",
    "TRAINING_SLOTS",
    "TrainingSlots",
    "blas_threads",
    "default_engine_threads",
    "default_max_trainings",
    "default_train_threads",
    "training_threads",
    "waiting_message",
]

ENV_TRAIN_THREADS = "CNNVIZ_TRAIN_THREADS"
ENV_ENGINE_THREADS = "CNNVIZ_ENGINE_THREADS"
ENV_MAX_TRAININGS = "CNNVIZ_MAX_TRAININGS"
ENV_TRAINING_TURN = "CNNVIZ_TRAINING_TURN"
DEFAULT_LEASE_SECONDS = 10.0


def _env_number(name: str, default: float, minimum: float) -> float:
    """A positive number from the environment; a typo falls back to the default, not a crash."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if value >= minimum else default


def _cores() -> int:
    """Cores this process may use (the container's CPU set, not the host's)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def default_train_threads() -> int:
    """BLAS threads per training chunk: ``$CNNVIZ_TRAIN_THREADS`` or 1."""
    return int(_env_number(ENV_TRAIN_THREADS, 1, 1))


def default_engine_threads(blas: int = 1) -> int:
    """Engine threads while training with ``blas`` BLAS threads: ``$CNNVIZ_ENGINE_THREADS``,
    else the cores when the BLAS runs on one thread (else 1: two layers of threads on the
    same cores fight, measured in ``cnnviz/nn/_threads.py``)."""
    return int(_env_number(ENV_ENGINE_THREADS, _cores() if blas == 1 else 1, 1))


def default_max_trainings() -> int:
    """Concurrent trainings per server: ``$CNNVIZ_MAX_TRAININGS`` or the number of cores."""
    return int(_env_number(ENV_MAX_TRAININGS, _cores(), 1))


# ----------------------------------------------------------------------------- BLAS threads

_thread_lock = threading.Lock()
_thread_users = 0
_thread_restore: Any = None  # the threadpoolctl limiter of the outermost entry
_engine_restore = 1  # the engine's thread count before the outermost entry
_controller: Any = None  # threadpoolctl.ThreadpoolController, built once (it scans libraries)


def _get_controller() -> Any:
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # optional at run time: then threads are simply not capped
            return None
        _controller = ThreadpoolController()
    return _controller


def _clear_controlling_thread() -> None:
    """Let the next change come from any thread (threadpoolctl >= 3.8 pins OpenBLAS control).

    threadpoolctl 3.8 lets only the first thread that set a pthreads-OpenBLAS limit change it
    again, silently ignoring the others until that thread dies: under Streamlit, where each
    session's script thread lives as long as the session, one session's restore would be
    dropped and the cap stuck. Our own lock already serialises every change, so ownership is
    cleared around each one.
    """
    try:
        from threadpoolctl import OpenBLASController
    except ImportError:
        return
    clear = getattr(OpenBLASController, "clear_controlling_thread", None)
    if clear is not None:
        clear()


def blas_threads() -> int | None:
    """The BLAS thread count in force now (None without threadpoolctl or a known BLAS)."""
    controller = _get_controller()
    if controller is None:
        return None
    counts = [lib.num_threads for lib in controller.lib_controllers if lib.user_api == "blas"]
    return max(counts) if counts else None


@contextmanager
def training_threads(threads: int | None = None) -> Iterator[int | None]:
    """Cap BLAS threads while a training chunk runs (and give the engine its own threads,
    :func:`default_engine_threads`); yields the BLAS cap in force.

    Overlapping entries from several session threads share one cap (the first entry's), which
    stays until the last one leaves, then the original counts come back.
    """
    global _thread_users, _thread_restore, _engine_restore
    limit = threads if threads is not None else default_train_threads()
    with _thread_lock:
        if _thread_users == 0:
            controller = _get_controller()
            if controller is not None:
                _clear_controlling_thread()
                _thread_restore = controller.limit(limits=limit, user_api="blas")
                _clear_controlling_thread()
            _engine_restore = nn.get_num_threads()
            nn.set_num_threads(default_engine_threads(limit if controller is not None else 0))
        _thread_users += 1
    try:
        yield blas_threads()
    finally:
        with _thread_lock:
            _thread_users -= 1
            if _thread_users == 0:
                nn.set_num_threads(_engine_restore)
            if _thread_users == 0 and _thread_restore is not None:
                _clear_controlling_thread()
                _thread_restore.restore_original_limits()
                _clear_controlling_thread()
                _thread_restore = None


# ----------------------------------------------------------------------------- training slots


class TrainingSlots:
    """At most ``max_slots`` sessions train at once; the rest wait in FIFO order.

    Call :meth:`try_acquire` before every training chunk: it returns True while the session
    holds a slot (and renews its lease), else queues the session (renewing its place) and returns
    False. Holders and waiters that have not called for ``lease_seconds`` are dropped.

    ``turn_seconds`` (``$CNNVIZ_TRAINING_TURN``, 0 = off) makes holders take turns: a session
    that has held a slot that long while others wait goes to the back of the queue, so a long
    run cannot starve the class; off by default because each learner then trains in bursts.
    ``clock`` is injectable for tests.
    """

    def __init__(self, max_slots: int | None = None, *,
                 lease_seconds: float = DEFAULT_LEASE_SECONDS,
                 turn_seconds: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_slots = max_slots if max_slots is not None else default_max_trainings()
        if self.max_slots < 1:
            raise ValueError("max_slots must be at least 1")
        self.lease_seconds = float(lease_seconds)
        turn = turn_seconds if turn_seconds is not None else _env_number(ENV_TRAINING_TURN, 0, 0)
        self.turn_seconds = float(turn)
        self._clock = clock
        self._lock = threading.Lock()
        self._holders: dict[str, tuple[float, float]] = {}  # id -> (acquired at, last seen)
        self._waiting: OrderedDict[str, float] = OrderedDict()  # id -> last seen, FIFO

    def _expire(self, now: float) -> None:
        cutoff = now - self.lease_seconds
        for sid in [s for s, (_, seen) in self._holders.items() if seen < cutoff]:
            del self._holders[sid]
        for sid in [s for s, seen in self._waiting.items() if seen < cutoff]:
            del self._waiting[sid]

    def try_acquire(self, session_id: str) -> bool:
        """True if ``session_id`` may run a training chunk now (lease renewed), else queue it."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            held = self._holders.get(session_id)
            if held is not None:
                turn_over = (self.turn_seconds > 0 and self._waiting
                             and now - held[0] >= self.turn_seconds)
                if not turn_over:
                    self._holders[session_id] = (held[0], now)
                    return True
                del self._holders[session_id]  # back of the queue, below
            self._waiting[session_id] = now  # keeps its place if already waiting
            free = self.max_slots - len(self._holders)
            ahead = list(self._waiting).index(session_id)
            if ahead < free:
                del self._waiting[session_id]
                self._holders[session_id] = (now, now)
                return True
            return False

    def renew(self, session_id: str) -> bool:
        """Extend a holder's lease (e.g. during a long chunk); False if it no longer holds one."""
        with self._lock:
            held = self._holders.get(session_id)
            if held is None:
                return False
            self._holders[session_id] = (held[0], self._clock())
            return True

    def release(self, session_id: str) -> None:
        """Give the slot (or the place in the queue) back: on pause, reset, done or error."""
        with self._lock:
            self._holders.pop(session_id, None)
            self._waiting.pop(session_id, None)

    def holds(self, session_id: str) -> bool:
        """Whether ``session_id`` holds an unexpired slot."""
        with self._lock:
            self._expire(self._clock())
            return session_id in self._holders

    def holder_count(self) -> int:
        """Sessions training now."""
        with self._lock:
            self._expire(self._clock())
            return len(self._holders)

    def waiting_count(self) -> int:
        """Sessions queued for a slot."""
        with self._lock:
            self._expire(self._clock())
            return len(self._waiting)

    def waiting_position(self, session_id: str) -> int | None:
        """1-based place in the queue; None if the session is not waiting (or holds a slot)."""
        with self._lock:
            self._expire(self._clock())
            if session_id not in self._waiting:
                return None
            return list(self._waiting).index(session_id) + 1

    def reset(self) -> None:
        """Forget every holder and waiter (tests; a server-wide reset)."""
        with self._lock:
            self._holders.clear()
            self._waiting.clear()


TRAINING_SLOTS = TrainingSlots()
"""The process-wide limiter shared by every session of this Streamlit server."""


def waiting_message(position: int, lang: str = "en") -> str:
    """What a queued learner sees instead of a training that crawls for everyone."""
    if lang.startswith("zh"):
        return f"等待空闲的训练名额（第 {position} 位）"
    return f"Waiting for a free training slot (position {position})"
