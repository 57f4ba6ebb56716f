"""Which browser came back, and to which server: a tab marker, a notice and a small store.

A learner's work (image, settings, trained model) lives in the ``st.session_state`` of the
ONE server process their websocket is on. When that replica dies, nginx sends the browser
to another replica, which starts a blank session: without a word the learner would just see
their work gone. So the first run of every session gives the browser a random *marker* (a
cookie, set by a tiny script) and this process remembers the markers it issued. A session
that arrives with a marker this process never issued was moved here from another server (or
the server restarted): it is told once, in its language, what was lost and how a downloaded
weights file restores the model.

Why a cookie and not a query parameter: a URL pasted to a friend would carry the marker, and
the friend would "resume" (or be told about) someone else's work. Cookies stay in the browser
that received them. The cookie is per browser, so two tabs of one browser share a marker.

``SessionMemory`` (no Streamlit in it) also keeps small values per marker, bounded in count,
bytes and time, so that a page can give a returning tab (a reload on the SAME server) its
trained weights back::

    marker = session_memory.tab_marker()          # None outside a browser session
    session_memory.MEMORY.remember(marker, "weights", blob, ttl=3600)
    blob = session_memory.MEMORY.recall(marker, "weights")
"""

from __future__ import annotations

import re
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from cnnviz.i18n import LANGUAGES, Text
from cnnviz.lessons.registry import by_slug
from cnnviz.ui.buttons import button
from cnnviz.ui.common import lang

MARKER_COOKIE = "cnnviz_tab"
LANG_COOKIE = "cnnviz_lang"
STATE_KEY = "_cnnviz_tab_marker"
DISMISS_KEY = "_cnnviz_moved_ok"
# A school day: a browser that comes back the next morning is not "moved", it is new.
COOKIE_MAX_AGE_S = 10 * 3600
RECONNECT_FLAG_S = 3600
WEIGHTS_PAGE = "training"  # where a downloaded weights file is uploaded again
MARKER_RE = re.compile(r"[0-9a-f]{32}")

MOVED = Text(
    "You were reconnected to another server (the one you were on stopped). Lost with it: "
    "your image, your settings and any model you trained. If you downloaded a weights "
    "file (.npz), upload it on the \"{page}\" page to get your model back.",
    "你已被重新连接到另一台服务器（原来的服务器已停止）。随之丢失的有：你的图像、你的设置"
    "以及你训练的模型。如果你下载过权重文件（.npz），请在“{page}”页面上传它，即可恢复你的模型。",
)
UNDERSTOOD = Text("OK", "知道了")


# ----------------------------------------------------------------------------- the store


def size_of(value: Any) -> int:
    """Approximate bytes held by ``value``: arrays and bytes exactly, containers summed."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    if isinstance(value, dict):
        return sum(size_of(k) + size_of(v) for k, v in value.items()) + 64
    if isinstance(value, (list, tuple, set, frozenset)):
        return sum(size_of(v) for v in value) + 56
    return sys.getsizeof(value)


@dataclass
class _Entry:
    value: Any
    expires: float
    nbytes: int


@dataclass
class _Marker:
    expires: float
    values: dict[str, _Entry] = field(default_factory=dict)


class SessionMemory:
    """Markers this process issued, and small values kept per marker (thread-safe).

    Bounded so that a long class cannot grow it without limit: at most ``max_markers``
    markers (the least recently used is dropped first), ``max_bytes`` of values in all (the
    oldest values go first), and everything expires (markers ``marker_ttl`` seconds after
    their last use, values at their own ``ttl``).
    """

    def __init__(self, *, max_markers: int = 10_000, marker_ttl: float = COOKIE_MAX_AGE_S,
                 max_bytes: int = 64 * 2**20,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_markers = max_markers
        self.marker_ttl = marker_ttl
        self.max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._markers: OrderedDict[str, _Marker] = OrderedDict()
        self._bytes = 0

    # -- markers
    def issue(self) -> str:
        """A new random marker, remembered as issued by this process."""
        marker = secrets.token_hex(16)
        with self._lock:
            self._expire()
            self._markers[marker] = _Marker(self._clock() + self.marker_ttl)
            while len(self._markers) > self.max_markers:
                self._drop(next(iter(self._markers)))
        return marker

    def issued(self, marker: str | None) -> bool:
        """Whether this process issued ``marker`` (and it has not expired); renews it."""
        with self._lock:
            self._expire()
            entry = self._markers.get(marker or "")
            if entry is None:
                return False
            entry.expires = self._clock() + self.marker_ttl
            self._markers.move_to_end(marker or "")
            return True

    # -- values
    def remember(self, marker: str, key: str, value: Any, ttl: float,
                 nbytes: int | None = None) -> bool:
        """Keep ``value`` for ``marker`` for ``ttl`` seconds; False if it cannot be kept.

        Only for markers this process issued (a made-up marker stores nothing), and only
        values that fit the byte budget; older values are dropped to make room.
        """
        size = size_of(value) if nbytes is None else nbytes
        with self._lock:
            self._expire()
            owner = self._markers.get(marker)
            if owner is None or size > self.max_bytes or ttl <= 0:
                return False
            self._pop(owner, key)
            owner.values[key] = _Entry(value, self._clock() + ttl, size)
            self._bytes += size
            self._markers.move_to_end(marker)
            self._shrink(keep=(marker, key))
            return True

    def recall(self, marker: str | None, key: str) -> Any | None:
        """The value kept for ``marker`` under ``key``, or None (never kept, or expired)."""
        with self._lock:
            self._expire()
            owner = self._markers.get(marker or "")
            entry = owner.values.get(key) if owner else None
            return None if entry is None else entry.value

    def forget(self, marker: str, key: str | None = None) -> None:
        """Drop one value of ``marker``, or all of them (the marker stays issued)."""
        with self._lock:
            owner = self._markers.get(marker)
            for k in [key] if key is not None else list(owner.values if owner else ()):
                if owner is not None:
                    self._pop(owner, k)

    def stats(self) -> dict[str, int]:
        """Counts for a benchmark or a test: markers, values, bytes held."""
        with self._lock:
            self._expire()
            return {"markers": len(self._markers), "bytes": self._bytes,
                    "values": sum(len(m.values) for m in self._markers.values())}

    # -- internals (lock held)
    def _pop(self, owner: _Marker, key: str) -> None:
        old = owner.values.pop(key, None)
        if old is not None:
            self._bytes -= old.nbytes

    def _drop(self, marker: str) -> None:
        for entry in self._markers.pop(marker).values.values():
            self._bytes -= entry.nbytes

    def _expire(self) -> None:
        now = self._clock()
        for marker in [m for m, e in self._markers.items() if e.expires <= now]:
            self._drop(marker)
        for owner in self._markers.values():
            for key in [k for k, e in owner.values.items() if e.expires <= now]:
                self._pop(owner, key)

    def _shrink(self, keep: tuple[str, str]) -> None:
        """Drop the values expiring first until the byte budget holds (never ``keep``)."""
        while self._bytes > self.max_bytes:
            victims = [(e.expires, m, k) for m, o in self._markers.items()
                       for k, e in o.values.items() if (m, k) != keep]
            if not victims:
                return
            _, marker, key = min(victims)
            self._pop(self._markers[marker], key)


MEMORY = SessionMemory()  # one per server process: each replica knows only its own markers


# ----------------------------------------------------------------------------- Streamlit


@dataclass
class Arrival:
    """What the first run of a session found: its marker and whether it was moved here."""

    marker: str
    moved: bool
    lang: str | None  # the language the browser last used, from its cookie


def arrive(cookies: dict[str, str], memory: SessionMemory = MEMORY) -> Arrival:
    """Classify a new session by the cookies its browser sent (no Streamlit: testable).

    A marker this process issued is a returning tab (reload) and keeps its marker; a
    well-formed marker it never issued means the browser was moved here; none (or garbage)
    is a new visitor. Moved and new browsers get a fresh marker.
    """
    sent = cookies.get(MARKER_COOKIE) or ""
    sent_lang = cookies.get(LANG_COOKIE)
    known_lang = sent_lang if sent_lang in LANGUAGES else None
    if MARKER_RE.fullmatch(sent) and memory.issued(sent):
        return Arrival(sent, False, known_lang)
    return Arrival(memory.issue(), bool(MARKER_RE.fullmatch(sent)), known_lang)


def moved_text(arrival: Arrival, current_lang: str) -> str:
    """The notice for a moved browser, in the language it last used (else the current one).

    Plain text of our own (the training page's title from the registry): nothing the browser
    sent ends up in it.
    """
    language = arrival.lang or current_lang
    return MOVED.get(language).format(page=by_slug(WEIGHTS_PAGE).title.get(language))


def _cookie_script(marker: str, language: str) -> str:
    # both values are ours (hex marker, a LANGUAGES key): nothing from the browser is echoed
    attrs = f"Path=/; Max-Age={COOKIE_MAX_AGE_S}; SameSite=Strict"
    return ("<script>(function(){var s=location.protocol==='https:'?'; Secure':'';"
            f"document.cookie='{MARKER_COOKIE}={marker}; {attrs}'+s;"
            f"document.cookie='{LANG_COOKIE}={language}; {attrs}'+s;}})();</script>")


def _browser_cookies() -> dict[str, str]:
    try:
        return dict(st.context.cookies)
    except (AttributeError, RuntimeError):  # no browser (AppTest, bare mode)
        return {}


@st.fragment(run_every=RECONNECT_FLAG_S)
def _rerun_on_reconnect() -> None:
    """Draws nothing; its timer makes the browser ask for a full run after a reconnect.

    Streamlit's frontend re-runs the script on a reconnect only while a script runs or a
    ``run_every`` timer is set; otherwise a learner moved to another replica would look at
    the dead replica's page (and no notice) until their next click. The timer fires once an
    hour, a negligible cost, and on a reconnect to the SAME server the extra run is harmless.
    """


def tab_marker() -> str | None:
    """This browser's marker (after ``arrival_notice`` ran in this session), else None."""
    arrival = st.session_state.get(STATE_KEY)
    return arrival.marker if isinstance(arrival, Arrival) else None


def arrival_notice() -> None:
    """Called by app.py on every run: mark the browser, and tell a moved learner once.

    The notice stays until the learner presses OK (a rerun a moment later must not hide it
    before it is read); later sessions of the same browser on this server never see it again.
    """
    arrival = st.session_state.get(STATE_KEY)
    if not isinstance(arrival, Arrival):
        arrival = arrive(_browser_cookies(), MEMORY)
        st.session_state[STATE_KEY] = arrival
    current = lang()
    # the same script on every run: the browser keeps the element and does not re-run it
    # unless the language changed (then the language cookie follows)
    with st.sidebar:
        st.html(_cookie_script(arrival.marker, current), unsafe_allow_javascript=True)
        _rerun_on_reconnect()
    if arrival.moved and not st.session_state.get(DISMISS_KEY):
        notice = st.container(key="cnnviz_moved_notice")
        notice.warning(moved_text(arrival, current), icon=":material/swap_horiz:")
        with notice:
            if button(UNDERSTOOD.get(arrival.lang or current), key="cnnviz_moved_ok"):
                st.session_state[DISMISS_KEY] = True
                st.rerun()
