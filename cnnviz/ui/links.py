""""Link to this view": a lesson's settings, language and classroom mode as query parameters.

A teacher puts the link in a slide or in homework; opening it shows exactly that state.
Every settings widget a page makes through the ui wrappers (``ui.slider``, ``ui.radio``,
``ui.selectbox``, ``ui.kernel_picker``, ``ui.toggle``, ``ui.select_slider``,
``ui.number_input``) is registered here by its key:

- before the widget is made, a value the opened link gives for that key is checked against
  the widget's own range or options; a good one becomes the widget's value, a bad one is
  dropped with a notice (the default stays), never an error;
- after it, the widget's value goes into the page's link (the popover under the title).

Only those widgets' values, ``lang`` and ``classroom`` are written: never the learner's
uploaded image, a quiz answer or a session marker. A link is applied once, on the first run
that sees it; later runs leave the learner's own changes alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from cnnviz.i18n import LANGUAGES, Text
from cnnviz.ui.common import CLASSROOM_KEY, LANG_KEY, classroom, lang, t

RUN_KEY = "_link_run"
_SEEN: dict[str, set[str]] = {}  # page -> widget keys registered there (this process)
APPLIED_KEY = "_link_applied"
APP_APPLIED_KEY = "_link_applied_app"
RESERVED = frozenset({"lang", "classroom", "missing", "embed", "embed_options"})
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

LINK = Text("Link to this view", "本视图的链接")
LINK_HELP = Text(
    "Copy this address into a slide or homework: it opens this lesson with these settings, "
    "this language and this mode (never your own uploaded image).",
    "把这个地址放进幻灯片或作业：打开它就是这节课的这些设置、这种语言和这种模式（不含你上传的图片）。",
)
OPEN = Text("Open it in a new tab", "在新标签页中打开")
BAD_VALUE = Text(
    "The link's value `{value}` for “{label}” is not possible here: the default is used.",
    "链接中“{label}”的值 `{value}` 在这里不可用：已改用默认值。",
)
UNKNOWN = Text(
    "The link names settings this page does not have (`{keys}`): they were ignored.",
    "链接中有本页没有的设置（`{keys}`）：已忽略。",
)


def _safe(text: str) -> str:
    """A value from the address bar, harmless inside Markdown backticks."""
    return text.replace("`", "'").replace("\n", " ")[:40]


@dataclass
class LinkRun:
    """What one run of a page knows about its link."""

    page: str
    pending: dict[str, str]  # values of the opened link not yet given to their widgets
    values: dict[str, str] = field(default_factory=dict)  # registered widgets' values
    problems: list[str] = field(default_factory=list)  # notices, in the learner's language
    link_notes: list[str] = field(default_factory=list)  # what the link cannot carry
    link_slot: Any = None  # where the link is (re)written
    notice_slot: Any = None  # where the notices are (re)written


def _query() -> dict[str, str]:
    try:
        return {k: st.query_params[k] for k in st.query_params}
    except Exception:  # noqa: BLE001 - no query params outside a run
        return {}


def _fresh(marker: str, items: dict[str, str], page: str) -> bool:
    """True the first time this run sees ``items`` (per ``marker``): the link is applied once."""
    signature = (page, tuple(sorted(items.items())))
    fresh = st.session_state.get(marker) != signature
    st.session_state[marker] = signature
    return fresh


def apply_app_link() -> None:
    """``lang`` and ``classroom`` from an opened link, before their sidebar widgets exist.

    Applied once per link (the sidebar does it first; the page's own call is then a no-op,
    and it is what applies them when a page runs on its own).
    """
    q = _query()
    items = {k: q[k] for k in ("lang", "classroom") if k in q}
    if not items or not _fresh(APP_APPLIED_KEY, items, ""):
        return
    if "lang" in items:
        if items["lang"] in LANGUAGES:
            st.session_state[LANG_KEY] = items["lang"]
        else:
            _note_later(t(BAD_VALUE.format(value=_safe(items["lang"]), label="lang")))
    if "classroom" in items:
        value = items["classroom"].lower()
        if value in TRUE + FALSE:
            st.session_state[CLASSROOM_KEY] = value in TRUE
        else:
            _note_later(t(BAD_VALUE.format(value=_safe(items["classroom"]), label="classroom")))


def _note_later(message: str) -> None:
    st.session_state.setdefault("_link_app_notes", []).append(message)


def begin(page: str, link_slot: Any = None, notice_slot: Any = None) -> LinkRun:
    """Start a page's run: decide whether its link is applied now, and where it is shown."""
    q = _query()
    settings = {k: v for k, v in q.items() if k not in RESERVED}
    pending = dict(settings) if _fresh(APPLIED_KEY, settings, page) else {}
    run = LinkRun(page, pending, link_slot=link_slot, notice_slot=notice_slot)
    run.problems += st.session_state.pop("_link_app_notes", [])
    st.session_state[RUN_KEY] = run
    _show(run)
    return run


def _run() -> LinkRun | None:
    run = st.session_state.get(RUN_KEY)
    return run if isinstance(run, LinkRun) else None


def link_query(values: dict[str, str]) -> str:
    """The query string of a link: the settings, then language and classroom mode."""
    return urlencode({**values, "lang": lang(), "classroom": "1" if classroom() else "0"})


def page_url(query: str) -> str:
    """The page's address in the browser with ``query`` (relative when it is unknown)."""
    try:
        base = (st.context.url or "").split("?", 1)[0]
    except (AttributeError, RuntimeError):
        base = ""
    return f"{base}?{query}"


def current_link() -> str:
    """The link to the page as it is now (its registered widgets so far)."""
    run = _run()
    return page_url(link_query(run.values if run else {}))


def _in_fragment() -> bool:
    """Whether this code runs inside an ``st.fragment`` (in its own rerun or in a full one).

    The link and notice slots are drawn outside every fragment. Written from inside one, they
    sent the browser deltas it could not place: the live training page's toggles did this
    twice a second, and after Pause Chromium's page went blank ("Cannot set a node at a
    delta path"). Such widgets still register; ``finish`` draws the link after the page.
    """
    ctx = get_script_run_ctx()
    if ctx is not None and getattr(ctx, "fragment_ids_this_run", None):
        return True
    try:  # a full run calling a fragment inline: Streamlit's per-thread fragment state
        from streamlit.runtime.scriptrunner_utils.script_run_context import ThreadState

        return ThreadState.get().fragment_id is not None
    except (ImportError, AttributeError, RuntimeError):
        return False


def page_starts() -> None:
    """Forget the last page's link run (``app.py``, before the page): ``finish`` must not
    draw into slots a page of an earlier run made."""
    st.session_state.pop(RUN_KEY, None)


def finish() -> None:
    """Draw the link and the notices once more after the page ran (``app.py``), so that the
    values of widgets inside fragments, which register without drawing, are in it."""
    run = _run()
    if run is not None and not _in_fragment():
        _show(run)


def _show(run: LinkRun) -> None:
    """(Re)write the link and the notices: called as widgets register, so the last call of
    a run leaves both complete (never from inside a fragment: see ``_in_fragment``)."""
    if _in_fragment():
        return
    if run.link_slot is not None:
        url = page_url(link_query(run.values))
        with run.link_slot.container():
            st.caption(t(LINK_HELP))
            for note in run.link_notes:
                st.info(note, icon=":material/info:")
            st.code(url, language=None, wrap_lines=True)
            st.markdown(f"[{t(OPEN)}]({url})")
    if run.notice_slot is not None:
        # a key is unknown when no widget took it; keys this page's widgets ever took (in
        # this server process) are not called unknown while their widget is still to come
        unknown = sorted(k for k in run.pending
                         if k not in run.values and k not in _SEEN.get(run.page, set()))
        notes = list(run.problems)
        if unknown:
            notes.append(t(UNKNOWN.format(keys=_safe(", ".join(unknown)))))
        if not notes:  # an empty container would leave an earlier notice standing
            run.notice_slot.empty()
            return
        with run.notice_slot.container():
            for note in notes:
                st.warning(note, icon=":material/link_off:")


def take(key: str, label: str, parse: Callable[[str], Any], *,
         widget: bool = True) -> tuple[bool, Any]:
    """The opened link's value for widget ``key``, parsed and checked by ``parse`` (which
    returns None for a value the widget cannot take): ``(True, value)`` when it is to be
    used, else ``(False, None)`` (a bad value also leaves a notice). ``widget=False``: the
    setting is no widget's value (the caller stores it), so Session State is not touched."""
    run = _run()
    if run is None or key not in run.pending:
        return False, None
    raw = run.pending.pop(key)
    value = parse(raw)
    if value is None:
        run.problems.append(t(BAD_VALUE.format(value=_safe(raw), label=label)))
        return False, None
    if widget:
        st.session_state[key] = value
    return True, value


def note(message: str) -> None:
    """Say beside the link what it cannot carry (the learner's own uploaded image)."""
    run = _run()
    if run is None or message in run.link_notes:
        return
    run.link_notes.append(message)
    _show(run)


def register(key: str, value: Any) -> None:
    """Put a widget's current value into the page's link."""
    run = _run()
    if run is None or value is None:
        return
    run.values[key] = serialize(value)
    _SEEN.setdefault(run.page, set()).add(key)
    _show(run)


def serialize(value: Any) -> str:
    """A widget value as it stands in a link."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def parse_option(options: Sequence[Any]) -> Callable[[str], Any]:
    """A parser that accepts exactly one of ``options`` (compared as link text)."""
    by_text = {serialize(o): o for o in options}
    return lambda raw: by_text.get(raw)


def parse_number(lo: float, hi: float, step: float | None,
                 integer: bool) -> Callable[[str], Any]:
    """A parser for a number in ``lo..hi`` on the widget's step grid."""

    def parse(raw: str) -> Any:
        try:
            value = float(raw)
        except ValueError:
            return None
        if not math.isfinite(value) or not lo - 1e-9 <= value <= hi + 1e-9:
            return None
        if step and abs((value - lo) / step - round((value - lo) / step)) > 1e-6:
            return None
        if integer:
            return int(value) if value == int(value) else None
        return value

    return parse


def parse_bool(raw: str) -> bool | None:
    """"1"/"0" (also true/false, yes/no, on/off)."""
    low = raw.lower()
    return True if low in TRUE else False if low in FALSE else None
