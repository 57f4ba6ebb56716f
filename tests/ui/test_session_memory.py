"""The tab marker and the "you were moved to another server" notice (cnnviz.ui.session_memory).

A browser's marker cookie tells a server whether it issued that marker: its own (a reload)
means nothing to say; a well-formed stranger means the learner was moved here from another
replica and is told once, in their language, what was lost. The per-marker store that lets a
page keep a returning tab's model stays bounded in markers, bytes and time.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnnviz.ui import session_memory as sm


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ----------------------------------------------------------------------------- the store


def test_issued_markers_are_known_and_others_are_not() -> None:
    memory = sm.SessionMemory()
    marker = memory.issue()
    assert sm.MARKER_RE.fullmatch(marker)
    assert memory.issued(marker)
    assert not memory.issued(sm.SessionMemory().issue())  # another replica's marker
    assert not memory.issued(None) and not memory.issued("")


def test_markers_and_values_expire() -> None:
    clock = Clock()
    memory = sm.SessionMemory(marker_ttl=100, clock=clock)
    marker = memory.issue()
    assert memory.remember(marker, "weights", b"abc", ttl=10)
    clock.now += 5
    assert memory.recall(marker, "weights") == b"abc"
    clock.now += 6
    assert memory.recall(marker, "weights") is None  # the value's own ttl
    assert memory.issued(marker)  # the marker lives on (and this use renews it)
    clock.now += 99
    assert memory.issued(marker)
    clock.now += 101
    assert not memory.issued(marker)
    assert memory.stats() == {"markers": 0, "bytes": 0, "values": 0}


def test_store_is_bounded_in_markers_and_bytes() -> None:
    memory = sm.SessionMemory(max_markers=3, max_bytes=1000)
    markers = [memory.issue() for _ in range(5)]
    assert [memory.issued(m) for m in markers] == [False, False, True, True, True]
    a, b, c = markers[2:]
    assert memory.remember(a, "w", np.zeros(100, np.float32), ttl=50)  # 400 bytes
    assert memory.remember(b, "w", np.zeros(100, np.float32), ttl=60)
    assert memory.remember(c, "w", np.zeros(100, np.float32), ttl=70)  # over 1000: a's goes
    assert memory.recall(a, "w") is None and memory.recall(c, "w") is not None
    assert memory.stats()["bytes"] == 800
    assert not memory.remember(c, "huge", b"x" * 1001, ttl=10)  # larger than the budget
    assert not memory.remember("f" * 32, "w", b"x", ttl=10)  # a marker nobody issued
    memory.issue()  # a fourth marker pushes out the least recently used one (a)
    assert not memory.issued(a) and memory.issued(c)
    memory.forget(c)
    assert memory.recall(c, "w") is None and memory.stats()["bytes"] == 400


def test_replacing_a_value_keeps_the_byte_count_right() -> None:
    memory = sm.SessionMemory()
    marker = memory.issue()
    for n in (10, 20, 5):
        memory.remember(marker, "w", b"x" * n, ttl=10)
    assert memory.stats() == {"markers": 1, "bytes": 5, "values": 1}


# ----------------------------------------------------------------------------- arrivals


def test_arrive_tells_reload_move_and_new_visitor_apart() -> None:
    here, elsewhere = sm.SessionMemory(), sm.SessionMemory()
    mine = here.issue()
    reload = sm.arrive({sm.MARKER_COOKIE: mine, sm.LANG_COOKIE: "zh"}, here)
    assert (reload.marker, reload.moved, reload.lang) == (mine, False, "zh")
    moved = sm.arrive({sm.MARKER_COOKIE: elsewhere.issue()}, here)
    assert moved.moved and here.issued(moved.marker) and moved.lang is None
    for cookies in ({}, {sm.MARKER_COOKIE: "<b>not a marker</b>"}, {sm.LANG_COOKIE: "xx"}):
        new = sm.arrive(cookies, here)
        assert not new.moved and new.lang is None and here.issued(new.marker)


# ----------------------------------------------------------------------------- the notice


def _script() -> None:
    from cnnviz.ui.session_memory import arrival_notice

    arrival_notice()


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> sm.SessionMemory:
    fresh = sm.SessionMemory()
    monkeypatch.setattr(sm, "MEMORY", fresh)
    return fresh


def _run(monkeypatch: pytest.MonkeyPatch, cookies: dict[str, str],
         lang: str | None = None) -> AppTest:
    monkeypatch.setattr(sm, "_browser_cookies", lambda: dict(cookies))
    at = AppTest.from_function(_script, default_timeout=30)
    if lang:
        at.session_state["lang"] = lang
    return at.run()


def test_first_visit_gets_a_marker_cookie_and_no_notice(monkeypatch, memory) -> None:
    at = _run(monkeypatch, {})
    assert not at.exception and not at.warning
    marker = at.session_state[sm.STATE_KEY].marker
    assert memory.issued(marker)
    script = at.get("html")[0].proto.body
    assert f"{sm.MARKER_COOKIE}={marker}" in script and f"{sm.LANG_COOKIE}=en" in script


def test_own_marker_means_no_notice(monkeypatch, memory) -> None:
    mine = memory.issue()
    at = _run(monkeypatch, {sm.MARKER_COOKIE: mine})
    assert not at.warning and at.session_state[sm.STATE_KEY].marker == mine


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("another server", "your image", "your settings", "model you trained",
            "Live MNIST training", ".npz")),
    ("zh", ("另一台服务器", "你的图像", "你的设置", "你训练的模型", "MNIST 实时训练", ".npz")),
])
def test_unknown_marker_shows_the_moved_notice_once(monkeypatch, memory, lang: str,
                                                   words: tuple[str, ...]) -> None:
    stranger = sm.SessionMemory().issue()  # issued by the replica that died
    at = _run(monkeypatch, {sm.MARKER_COOKIE: stranger}, lang=lang)
    assert not at.exception
    assert len(at.warning) == 1
    text = at.warning[0].value
    for word in words:
        assert word in text, (word, text)
    at.run()  # a rerun (a click, a fragment) keeps it until it is read
    assert len(at.warning) == 1
    at.button(key="cnnviz_moved_ok").click().run()
    assert not at.warning and not at.exception
    # the browser now carries a marker of this server: a reload is not "moved" again
    new_marker = at.session_state[sm.STATE_KEY].marker
    assert new_marker != stranger and memory.issued(new_marker)
    assert not _run(monkeypatch, {sm.MARKER_COOKIE: new_marker}, lang=lang).warning


def test_notice_follows_the_language_the_browser_last_used(monkeypatch, memory) -> None:
    stranger = sm.SessionMemory().issue()
    at = _run(monkeypatch, {sm.MARKER_COOKIE: stranger, sm.LANG_COOKIE: "zh"})  # page in en
    assert "另一台服务器" in at.warning[0].value
    assert at.button(key="cnnviz_moved_ok").label == "知道了"
