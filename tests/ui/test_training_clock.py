"""The training session's clock and state when the learner leaves (issue 13, defects 6, 7).

Training only advances while the training page is on screen. Before, a learner who came
back after 24 s away saw "training…", a clock that had counted the 24 s and an images/s
figure divided by them (683 → 160). Now the run says it was paused automatically and the
figures count only the running stretches. A clock the test steps keeps it exact.
"""

from __future__ import annotations

import pytest

from cnnviz.concurrency import TRAINING_SLOTS
from cnnviz.training import TrainConfig
from cnnviz.ui.training_session import AWAY_SECONDS, TrainingSession

CONFIG = TrainConfig(batch_size=50, epochs=1, train_limit=500, test_limit=100, eval_every=0)


class Clock:
    """A clock that moves only when told (and a little per training chunk)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def session() -> tuple[TrainingSession, Clock]:
    TRAINING_SLOTS.reset()
    sess, clock = TrainingSession(), Clock()
    sess.clock = clock
    assert sess.start(CONFIG)
    yield sess, clock
    TRAINING_SLOTS.reset()


def _tick(sess: TrainingSession, clock: Clock, gap: float, chunk: float = 0.4) -> int:
    """Wait ``gap`` seconds (redraw or time away), then one chunk of ``chunk`` seconds."""
    clock.now += gap
    real = sess.trainer.run

    def run(**kw: float) -> list:
        clock.now += chunk
        return real(steps=1)

    sess.trainer.run = run
    try:
        return len(sess.tick())
    finally:
        sess.trainer.run = real


# (what happens, gaps between chunks, status after, seconds counted, steps, told away)
CASES = [
    ("ticking every 0.5 s", [0.1, 0.1, 0.1], "running", 1.5, 3, False),
    ("a slow redraw", [0.1, AWAY_SECONDS - 1, 0.1], "running", 0.5 * 3 + AWAY_SECONDS - 1.1,
     3, False),
    ("24 s on another page", [0.1, 0.1, 24.0], "paused", 1.0, 2, True),
    ("hidden tab, then back", [0.1, AWAY_SECONDS + 0.5], "paused", 0.5, 1, True),
]


@pytest.mark.parametrize(("what", "gaps", "status", "seconds", "steps", "away"), CASES,
                         ids=[c[0] for c in CASES])
def test_time_away_is_not_training_time(session, what, gaps, status, seconds, steps,
                                        away) -> None:  # noqa: ANN001
    sess, clock = session
    for gap in gaps:
        _tick(sess, clock, gap)
    assert sess.status == status
    assert sess.elapsed == pytest.approx(seconds)
    assert sess.trainer.step == steps
    assert (sess.away is not None) == away
    if away:
        assert "24 s" in sess.away.en if gaps[-1] == 24.0 else "s" in sess.away.en
        assert "自动暂停" in sess.away.zh
        assert not TRAINING_SLOTS.holds(sess.slot_id), "a paused run frees its slot"


def test_resume_after_away_counts_from_the_resume(session) -> None:  # noqa: ANN001
    sess, clock = session
    _tick(sess, clock, 0.1)
    clock.now += 60
    assert sess.check_away() and sess.status == "paused"
    clock.now += 30  # reading the notice
    sess.resume()
    assert sess.away is None and sess.status == "running"
    _tick(sess, clock, 0.1)
    assert sess.elapsed == pytest.approx(1.0)


def test_waiting_for_a_slot_is_not_training_time(session) -> None:  # noqa: ANN001
    sess, clock = session
    TRAINING_SLOTS.release(sess.slot_id)
    for other in [f"learner {i}" for i in range(TRAINING_SLOTS.max_slots)]:
        TRAINING_SLOTS.try_acquire(other)
    for _ in range(30):  # 15 s in the queue, ticking every 0.5 s: never "away"
        assert _tick(sess, clock, 0.5) == 0
    assert sess.status == "running" and sess.elapsed == 0.0


@pytest.mark.parametrize(("step", "status", "downloaded", "unsaved"), [
    (0, "running", None, True),  # a run going on: a reload would throw it away
    (5, "paused", None, True),
    (5, "done", None, True),
    (5, "paused", 5, False),  # downloaded at this step
    (7, "paused", 5, True),  # trained further since
])
def test_what_a_reload_would_lose(session, step, status, downloaded, unsaved) -> None:  # noqa: ANN001
    sess, _ = session
    sess.trainer.run(steps=step)
    sess.status = status
    sess.downloaded_step = downloaded
    assert sess.unsaved == unsaved
    sess.reset()
    assert not sess.unsaved
