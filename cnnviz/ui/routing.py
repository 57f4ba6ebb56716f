"""Every URL reaches the app: unknown paths go to the home page with a notice.

Streamlit answers any path with its index.html, whose assets are addressed relative to the
page ("./static/..."). One level deep (``/padding``) that works; two or more
(``/convolution/extra``, ``/pages/1_convolution.py``, an encoded ``../``) the browser asks
for ``/convolution/static/...``, gets HTML instead of JavaScript and shows a blank white
page. ``UnknownPathRedirect`` (an ASGI middleware that app.py installs through ``st.App``)
sends a browser navigating to any path that is not a lesson to ``/?missing=<path>``, and
``missing_page_notice`` tells the learner, in their language, that the page does not exist.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

import streamlit as st

from cnnviz.i18n import Text
from cnnviz.lessons.registry import LESSONS
from cnnviz.ui.common import t

MISSING_PARAM = "missing"
NOTICE_KEY = "_missing_page_notice"  # (path, page it was shown on)
KNOWN_PATHS = frozenset({"/"} | {f"/{lesson.slug}" for lesson in LESSONS})
# Streamlit's own routes (assets, websocket, media, components, health) pass untouched
STREAMLIT_PREFIXES = ("/_stcore", "/static/", "/media/", "/component/", "/app/static/")

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

NOT_FOUND = Text(
    "There is no page at `{path}`: here is the home page. Pick a lesson in the sidebar.",
    "没有 `{path}` 这个页面：这里是首页。请在侧边栏中选择一节课。",
)


def is_page_navigation(scope: Scope) -> bool:
    """A browser asking for a document (not an asset, not the websocket)."""
    if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
        return False
    headers = dict(scope.get("headers") or [])
    return b"text/html" in headers.get(b"accept", b"")


def redirect_target(path: str) -> str | None:
    """Where to send a navigation to ``path``: None for a lesson or Streamlit's own route."""
    if path.rstrip("/") in KNOWN_PATHS or path == "/" or path.startswith(STREAMLIT_PREFIXES):
        return None
    return f"/?{MISSING_PARAM}={quote(path, safe='')}"


class UnknownPathRedirect:
    """ASGI middleware: navigations to unknown paths go to ``/?missing=<path>`` (303)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        target = redirect_target(scope.get("path", "/")) if is_page_navigation(scope) else None
        if target is None:
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 303,
                    "headers": [(b"location", target.encode("ascii")),
                                (b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})


def safe_code(text: str) -> str:
    """``text`` for inside Markdown backticks: no backtick can end the code span early."""
    return text.replace("`", "'")[:200]


def _page_hash() -> str:
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx()
    return getattr(ctx, "page_script_hash", "") if ctx is not None else ""


def missing_page_notice() -> None:
    """After a redirect from an unknown path: say so, in the learner's language.

    The notice stays while the learner is on the page it was shown on (reruns such as the
    width probe's report must not take it away), and the URL is cleaned at once.
    """
    path = st.query_params.get(MISSING_PARAM)
    if path is not None:
        st.session_state[NOTICE_KEY] = (path, _page_hash())
        del st.query_params[MISSING_PARAM]
    shown = st.session_state.get(NOTICE_KEY)
    if shown is None:
        return
    if shown[1] != _page_hash():
        del st.session_state[NOTICE_KEY]
        return
    st.warning(t(NOT_FOUND.format(path=safe_code(shown[0]))), icon=":material/travel_explore:")
