"""One training run per browser session: start / pause / resume / reset, weights in and out.

The live page redraws from a ``st.fragment(run_every=...)`` that calls :meth:`tick` with a
small time budget, so all training state must outlive a script run: it lives in one
``TrainingSession`` object in ``st.session_state`` (one Trainer per browser tab, never shared
between learners). The class itself does not touch Streamlit, so tests can drive it
directly; only :func:`get_session` reads ``st.session_state``.

What the Trainer does not do and this wrapper adds: a status machine for the buttons,
wall-clock timing of ticks (redraws per second, seconds since start), a cached evaluation
per step (confusion matrix when paused), and checked loading of uploaded weights that keeps
the current model when the file is wrong.

Training only advances while the page is on screen (the fragment's timer lives in the
browser): a learner who opens another lesson, hides the tab or closes it leaves the run
stalled. So the clock counts only the stretches between chunks (never a gap longer than
``AWAY_SECONDS``), and the first tick or page run after such a gap pauses the run and says
why (``away``), instead of "training…" with a clock and images/s that counted the time away.

Sharing the server (``cnnviz.concurrency``): each
chunk runs under a per-session lock (a click's full rerun must not use the model while the
fragment's chunk is still in backward) with capped BLAS threads, and only sessions holding a
training slot train; the others wait with their place in the queue (``waiting_position``).
A session that ends (tab closed or reloaded) gets no call from Streamlit, which offers no
session-end hook (1.67; a disconnected session is even kept ``server.disconnectedSessionTTL``
= 120 s for a reconnect): its slot is freed by the slot's lease, 10 s after its last chunk
(``cnnviz.concurrency``); a paused or finished run holds none.
"""

from __future__ import annotations

import io
import math
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Any, Literal

from cnnviz.concurrency import TRAINING_SLOTS, training_threads
from cnnviz.i18n import LocalizedError, Text
from cnnviz.training import EvalResult, ProgressEvent, TrainConfig, Trainer
from cnnviz.training.runs import KeptRun, keep_run, kept_list
from cnnviz.weights import WeightsError

Status = Literal["idle", "running", "paused", "done", "stopped"]
STATE_KEY = "training_session"
EVAL_LIMIT = 2000  # test digits behind the confusion matrix / mistakes (fast enough to redo)
AWAY_SECONDS = 10.0  # a longer gap between chunks (ticks: 0.5 s) means the page was not shown;
# as long as a training slot's lease, so a run that lost its slot is also a run that paused


def eval_every_for(steps_per_epoch: int) -> int:
    """Test-curve spacing: about 12 points per epoch, between every 10 and every 50 steps.

    Each point costs a forward pass over the 1000-digit test subset (~4 % of 50 steps).
    """
    return int(min(50, max(10, steps_per_epoch // 12)))


class TrainingSession:
    """The training state of one browser session (see the module docstring)."""

    clock: Callable[[], float] = staticmethod(time.perf_counter)  # tests step their own clock

    def __init__(self) -> None:
        self.slot_id = uuid.uuid4().hex  # this browser session in the training-slot queue
        self.lock = threading.RLock()  # around every use of the model (see module docstring)
        self.waiting_position: int | None = None
        self.trainer: Trainer | None = None
        self.status: Status = "idle"
        self.error: Text | None = None  # the last refused action
        self.upload_error: Text | None = None  # a refused upload
        self.notice: Text | None = None  # the last accepted upload
        self.tick_times: deque[float] = deque(maxlen=20)  # wall clock of recent ticks
        self.last_chunk: float | None = None  # when the run last trained or (re)started
        self.wall_seconds = 0.0  # running time: chunks and the redraws between them
        self.away: Text | None = None  # why the run was paused automatically
        self.downloaded_step: int | None = None  # the step whose weights were last downloaded
        self.draw_seconds = 0.1  # smoothed time the page spends redrawing after a tick
        self._eval: tuple[int, int, EvalResult] | None = None  # (trainer id, step, result)
        self.kept: list[KeptRun] = []  # earlier runs overlaid on the curves (survive reset)
        self._memo: dict[str, tuple[Any, Any]] = {}  # name -> (key, value): see memo()

    # ------------------------------------------------------------------ controls

    def start(self, config: TrainConfig, **data: Any) -> bool:
        """A fresh Trainer from ``config`` and status "running"; False (``error`` set) if MNIST
        or the start weights cannot be loaded, leaving the previous run untouched."""
        from cnnviz.data.mnist import MnistError

        try:
            trainer = Trainer(config, **data)
            trainer.train_size  # noqa: B018 - load MNIST now, so a missing copy fails here
        except LocalizedError as err:  # weights that do not fit, ...
            self.error = err.text
            return False
        except MnistError as err:
            self.error = err.text
            return False
        with self.lock:
            self._install(trainer)
        self.status = "running"
        self.last_chunk = self.clock()
        return True

    def _install(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self.error = None
        self.tick_times.clear()
        self.wall_seconds = 0.0
        self.last_chunk = None
        self.away = None
        self.downloaded_step = None
        self._eval = None

    def pause(self) -> None:
        TRAINING_SLOTS.release(self.slot_id)  # the next learner in the queue starts now
        self.waiting_position = None
        if self.status == "running":
            self.status = "paused"
        self.last_chunk = None

    def resume(self) -> None:
        if self.status == "paused" and self.trainer is not None and not self.trainer.done:
            self.status = "running"
            self.away = None
            self.tick_times.clear()  # redraws per second of this stretch only
            self.last_chunk = self.clock()

    def reset(self) -> None:
        """Forget the run (back to the settings); the next start builds a new model."""
        TRAINING_SLOTS.release(self.slot_id)
        slot_id, lock, kept = self.slot_id, self.lock, self.kept
        with lock:
            self.__init__()
        self.slot_id, self.lock, self.kept = slot_id, lock, kept

    # ------------------------------------------------------------------ steering, comparing

    def steer(self, name: str, value: float) -> bool:
        """Change a setting of the current run from its next step on (marked on the curves);
        False if there is no run, the optimiser has no such setting, or nothing changed."""
        tr = self.trainer
        if tr is None or name not in tr.steerable():
            return False
        with self.lock:
            return tr.steer(name, value) is not None

    def keep(self) -> bool:
        """Keep the current run's curves to compare with later runs (the oldest of more than
        four is dropped); False if there is nothing to keep."""
        if self.trainer is None or self.trainer.step == 0:
            return False
        self.kept = kept_list(self.kept, keep_run(self.trainer))
        return True

    def forget_kept(self) -> None:
        self.kept = []

    def memo(self, name: str, key: Any, build: Callable[[], Any]) -> Any:
        """``build()`` once per ``key`` (one entry per ``name``): what stays the same from one
        redraw to the next, such as the feature maps with the starting weights, is not
        recomputed twice a second. The current run's id belongs in ``key``."""
        hit = self._memo.get(name)
        if hit is None or hit[0] != key:
            hit = (key, build())
            self._memo[name] = hit
        return hit[1]

    def check_away(self) -> bool:
        """Pause a run whose page was not on screen for ``AWAY_SECONDS``, and say so.

        Called by every tick and at the top of the page, so a learner who comes back sees
        "paused automatically" with the time away, not a run that pretends to go on.
        """
        if self.status != "running" or self.last_chunk is None:
            return False
        gap = self.clock() - self.last_chunk
        if gap <= AWAY_SECONDS:
            return False
        self.pause()
        self.away = Text(
            f"Paused automatically: the page was not on screen for {gap:.0f} s, and training "
            "runs only while it is. Press Resume to go on.",
            f"已自动暂停：本页面有 {gap:.0f} 秒不在屏幕上，而训练只在页面显示时进行。"
            "按“继续”接着训练。",
        )
        return True

    @property
    def unsaved(self) -> bool:
        """A run going on, or a trained model not downloaded since its last step: a reload
        or a closed tab would lose it (the page asks the browser to warn first)."""
        tr = self.trainer
        if tr is None:
            return False
        return self.status == "running" or (tr.step > 0 and self.downloaded_step != tr.step)

    def mark_downloaded(self) -> None:
        """The download button was pressed: the weights at this step are safe."""
        if self.trainer is not None:
            self.downloaded_step = self.trainer.step

    # ------------------------------------------------------------------ training

    def tick(self, budget: float = 0.3) -> list[ProgressEvent]:
        """Train for about ``budget`` seconds if running; update the status when it ends."""
        if self.status != "running" or self.trainer is None or self.check_away():
            return []
        if not TRAINING_SLOTS.try_acquire(self.slot_id):  # also keeps the place in the queue
            self.waiting_position = TRAINING_SLOTS.waiting_position(self.slot_id)
            self.last_chunk = self.clock()  # waiting is not training time
            return []
        self.waiting_position = None
        self.tick_times.append(self.clock())
        with self.lock, training_threads():
            events = self.trainer.run(seconds=budget)
        end = self.clock()
        if self.last_chunk is not None:
            self.wall_seconds += end - self.last_chunk  # this chunk and the redraw before it
        self.last_chunk = end
        if self.trainer.done:
            TRAINING_SLOTS.release(self.slot_id)
            self.status = "stopped" if self.trainer.stopped_reason is not None else "done"
            self.last_chunk = None
        return events

    def budget(self, period: float = 0.5, most: float = 0.4, least: float = 0.1) -> float:
        """Seconds of training per tick that leave time to redraw within ``period``.

        On a busy machine drawing slows down too; shrinking the training share keeps the
        pictures moving at the promised rate instead of stretching every tick.
        """
        # 0.2 s is left for Streamlit's own work and the trip to the browser (measured: with
        # less, a tick overruns its period and the page redraws only ~1.4 times a second)
        return max(least, min(most, period - self.draw_seconds - 0.2))

    def drawn(self, seconds: float) -> None:
        """Record how long the last redraw took (smoothed)."""
        self.draw_seconds = 0.7 * self.draw_seconds + 0.3 * max(0.0, seconds)

    @property
    def elapsed(self) -> float:
        """Seconds of running, from the start to the last chunk, redraws between chunks
        included; pauses, waiting for a slot and time away from the page excluded."""
        return self.wall_seconds

    @property
    def redraws_per_second(self) -> float:
        """How often the live panels were redrawn lately (ticks per second of wall clock)."""
        if len(self.tick_times) < 2:
            return 0.0
        span = self.tick_times[-1] - self.tick_times[0]
        return (len(self.tick_times) - 1) / span if span > 0 else 0.0

    def evaluation(self, limit: int = EVAL_LIMIT) -> EvalResult | None:
        """Evaluation on the first ``limit`` test digits, cached until the weights change."""
        tr = self.trainer
        if tr is None:
            return None
        key = (id(tr), tr.step)
        if self._eval is None or self._eval[:2] != key:
            with self.lock:
                self._eval = (*key, tr.evaluate(limit))
        return self._eval[2]

    # ------------------------------------------------------------------ weights files

    def weights_bytes(self) -> bytes:
        """The current weights as a ``.npz`` file (what the download button serves)."""
        if self.trainer is None:
            raise ValueError("nothing trained yet")
        with self.lock:
            return self.trainer.to_bytes()

    def load_upload(self, data: bytes, name: str, config: TrainConfig) -> bool:
        """Replace the model with uploaded weights for ``config.model`` (status "paused").

        ``config`` is the settings the page shows, the model the uploader's label names, so
        the label and the check cannot disagree. Whether the file fits that model is checked
        from its headers before any data is read (``cnnviz.weights``). A refused file sets
        ``upload_error`` and returns False; the current model and its progress are kept.
        """
        from cnnviz.data.mnist import MnistError

        try:
            if not data:
                raise WeightsError(Text(f"{name} is empty (0 bytes).",
                                        f"{name} 是空文件（0 字节）。"), "empty")
            trainer = Trainer(replace(config, init=_Named(data, name)))
            trainer.train_size  # noqa: B018 - load MNIST now, so a missing copy fails here
        except LocalizedError as err:
            self.upload_error = err.text
            return False
        except MnistError as err:
            self.upload_error = err.text
            return False
        except Exception as err:  # noqa: BLE001 - anything else a hostile file provokes
            self.upload_error = Text(f"{name} could not be loaded ({type(err).__name__}).",
                                     f"无法加载 {name}。")
            return False
        TRAINING_SLOTS.release(self.slot_id)
        with self.lock:
            self._install(trainer)
        self.upload_error = None
        self.status = "paused"
        steps = trainer.init_meta.get("steps")
        steps = steps if isinstance(steps, int) and not isinstance(steps, bool) else "?"
        self.notice = Text(f"Loaded {name} ({steps} steps of training).",
                           f"已加载 {name}（训练了 {steps} 步）。")
        return True


class _Named(io.BytesIO):
    """Bytes with a ``name`` so error messages say which file was refused."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def finite_history(trainer: Trainer) -> list[ProgressEvent]:
    """The events with a finite loss (all of them: the Trainer drops diverged steps)."""
    return [e for e in trainer.history if math.isfinite(e.loss)]


def get_session() -> TrainingSession:
    """This browser session's TrainingSession (created on first use)."""
    import streamlit as st

    sess = st.session_state.get(STATE_KEY)
    # duck-typed, not isinstance: when Streamlit re-imports an edited module the class object
    # changes, and an isinstance check would silently throw the learner's run away
    if not (hasattr(sess, "tick") and hasattr(sess, "trainer")):
        sess = TrainingSession()
        st.session_state[STATE_KEY] = sess
    return sess


_GUARD_KEY = "_training_unload_guard"  # whether this session's page installed the guard
# runs in the component's iframe; the handler is made in the page's own realm (new
# w.Function) so it keeps working after the iframe is gone (the learner left this page)
_GUARD_JS = """<script>
const w = window.parent;
if (w.__cnnvizUnloadGuard) w.removeEventListener("beforeunload", w.__cnnvizUnloadGuard);
w.__cnnvizUnloadGuard = null;
if (%s) {
  w.__cnnvizUnloadGuard = new w.Function("e", "e.preventDefault(); e.returnValue = '';");
  w.addEventListener("beforeunload", w.__cnnvizUnloadGuard);
}
</script>"""


def unload_guard(armed: bool) -> None:
    """Ask the browser to confirm a reload or close while ``armed`` (a model would be lost).

    A one-pixel ``st.iframe`` script (``components.v1.html``, deprecated in Streamlit 1.67)
    installs a ``beforeunload`` handler on the app's window (``window.parent``); called again
    with False it removes it. Nothing is drawn until a guard was first needed, so an idle
    page is unchanged.
    """
    import streamlit as st

    if not armed and not st.session_state.get(_GUARD_KEY):
        return
    st.session_state[_GUARD_KEY] = armed
    # st.iframe: Streamlit 1.67's successor of components.v1.html (same-origin, scripts run)
    st.iframe(_GUARD_JS % ("true" if armed else "false"), height=1, tab_index=-1,
              alt="reload warning")
