"""Leaving the training page, reloading it (issue 13, defects 6 and 7), in both languages.

Before: a learner who went to another lesson came back to "training…" while the run had
stalled, with a clock and an images/s figure that had counted the time away; and a reload
threw the trained model away without a word. Now the page says the run was paused
automatically (and counts only running time), and while a model would be lost it installs
a ``beforeunload`` guard (the browser asks before a reload or close) and points to the
weights download; downloading or resetting removes the guard.
"""

from __future__ import annotations

import re

import pytest

from cnnviz.concurrency import TRAINING_SLOTS
from tests.pages.apptest_helpers import run_page
from tests.pages.test_training import PAGE, _sess, _start

DOWNLOAD_HINT = {"en": "Download the trained weights", "zh": "下载训练好的权重"}
# 30 s away plus however long the machine took since the last chunk (31 s when loaded)
AWAY = {"en": ("paused automatically", re.compile(r"not on screen for 3\d s")),
        "zh": ("已自动暂停", re.compile(r"有 3\d 秒不在屏幕上"))}


@pytest.fixture(autouse=True)
def _free_training_slots():
    TRAINING_SLOTS.reset()
    yield
    TRAINING_SLOTS.reset()


def _guard(at) -> str | None:  # noqa: ANN001 - AppTest
    """"armed" / "disarmed" from the page's unload-guard script, None when there is none."""
    scripts = [str(e.proto.srcdoc) for e in at.main if getattr(e, "type", "") == "iframe"]
    scripts = [s for s in scripts if "beforeunload" in s]
    if not scripts:
        return None
    assert len(scripts) == 1
    return "armed" if "if (true)" in scripts[0] else "disarmed"


def _captions(at) -> str:  # noqa: ANN001
    return " ".join(str(c.value) for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_leaving_pauses_the_run_and_the_clock(lang: str) -> None:
    # 100 steps: still running after a tick, however fast the machine
    at = _start(run_page(PAGE, lang=lang), subset=5000, batch=100, epochs=2)
    sess = _sess(at)
    at.run()
    assert sess.status == "running" and sess.trainer.step > 0
    step, seconds = sess.trainer.step, sess.elapsed
    sess.last_chunk -= 30  # the learner spent 30 s on another page
    at.run()
    assert not at.exception
    assert sess.status == "paused" and sess.trainer.step == step
    assert sess.elapsed == pytest.approx(seconds), "the time away is not training time"
    status, notice = AWAY[lang]
    assert any(status in str(m.value) for m in at.markdown), "the status says so"
    assert any(notice.search(str(i.value)) for i in at.info)
    time_metric = next(m for m in at.metric if m.label in ("Time", "用时"))
    assert time_metric.value == f"{seconds:.0f} s"
    at.button(key="train_resume").click().run()
    assert sess.status == "running" and sess.away is None
    assert not any(notice in str(i.value) for i in at.info)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_model_that_would_be_lost_is_guarded_until_downloaded(lang: str) -> None:
    at = run_page(PAGE, lang=lang)
    assert _guard(at) is None, "an idle page draws no guard"
    at = _start(at, subset=5000, batch=100, epochs=2)  # 100 steps: still running after a tick
    assert _guard(at) == "armed"
    at.button(key="train_pause").click().run()
    assert _guard(at) == "armed" and DOWNLOAD_HINT[lang] in _captions(at)
    (download,) = at.get("download_button")
    download.click().run()
    assert _guard(at) == "disarmed" and DOWNLOAD_HINT[lang] not in _captions(at)
    at.button(key="train_resume").click().run()
    assert _guard(at) == "armed", "training further makes the download stale"
    at.button(key="train_pause").click().run()
    at.button(key="train_reset").click().run()
    assert _guard(at) == "disarmed", "nothing left to lose"
