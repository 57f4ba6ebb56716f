"""A lesson page's frame: sidebar, title bar (link, presenter view), the settings / stage
layout, figures sized to the room they really get, and formulas that wrap.

Pages call these through ``cnnviz.ui``; the pieces live in ``stage`` (measured width,
presenter view), ``links`` (link to this view), ``downloads`` (GIF / PNG) and ``maths``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from cnnviz.content import lesson_text
from cnnviz.i18n import LANGUAGES, Text
from cnnviz.lessons import registry
from cnnviz.lessons.window import WindowSpec
from cnnviz.ui import links, stage
from cnnviz.ui.cache_budget import FIGURE_BUDGET_MB, bounded
from cnnviz.ui.common import (
    CLASSROOM_KEY,
    LANG_KEY,
    classroom,
    inject_css,
    lang,
    route_through_app,
    show_plotly,
    t,
    tc,
)
from cnnviz.ui.downloads import FIGURE_DOWNLOADS, animation_downloads
from cnnviz.ui.maths import chars_that_fit, wrap_latex
from cnnviz.viz.fit import fit_spec

CROPPED = Text(
    "Showing the first {r}×{c} of the {rr}×{cc} output positions, so that the numbers stay "
    "large enough to read; close the sidebar or use the presenter view to see more.",
    "为了让数字足够大、便于阅读，这里只显示 {rr}×{cc} 个输出位置中的前 {r}×{c} 个；"
    "收起侧边栏或使用演示视图可以看到更多。",
)


def sidebar() -> None:
    """Language selector, classroom toggle and credits (called once per run by app.py).

    A link's ``lang`` / ``classroom`` are applied first (``links.apply_app_link``); then
    the widgets are made without a second default, as Streamlit requires.
    """
    before = (st.session_state.get(LANG_KEY), st.session_state.get(CLASSROOM_KEY))
    links.apply_app_link()
    linked = before != (st.session_state.get(LANG_KEY), st.session_state.get(CLASSROOM_KEY))
    with st.sidebar:
        codes = list(LANGUAGES)
        st.selectbox(
            "Language / 语言",
            codes,
            index=None if linked else codes.index(lang()),
            format_func=LANGUAGES.__getitem__,
            key=LANG_KEY,
        )
        st.toggle(
            tc("classroom"),
            value=False if linked else classroom(),
            key=CLASSROOM_KEY,
            help=t(
                "Larger type, high-contrast colours, explanations folded away.",
                "更大的字号、高对比度配色，讲解内容折叠。",
            ),
        )
    inject_css()


def page_title(page_file: str) -> registry.Lesson:
    """The page's registered title and its content file's intro, under it the link to this
    view and the presenter view (first call of every page, so it also routes, measures the
    room the page gets and applies an opened link): ``lesson = ui.page_title(__file__)``;
    ``lesson.slug`` names the page's content file for ``prose`` and ``explain_entry``."""
    route_through_app()
    lesson = registry.by_page(page_file)
    links.apply_app_link()  # a page run on its own (no sidebar); a no-op after the sidebar's
    stage.measure()
    st.title(lesson.heading(lang()))  # (hidden in the presenter view, still the page's name)
    if stage.presenter() and _has_animation(lesson):
        stage.presenter_frame()
        links.begin(lesson.slug)
        return lesson
    st.session_state[stage.PRESENTER_KEY] = False
    intro = lesson_text(lesson.slug).get("intro")
    if intro is not None:
        st.markdown(t(intro))
    with st.container(horizontal=True, key="cnnviz_toolbar"):
        if _has_animation(lesson):
            stage.presenter_button()
        with st.popover(t(links.LINK), icon=":material/link:"):
            link_slot = st.empty()
    links.begin(lesson.slug, link_slot=link_slot, notice_slot=st.empty())
    return lesson


def _has_animation(lesson: registry.Lesson) -> bool:
    """The numbered operation lessons open with an animation (the presenter view's figure)."""
    return lesson.number is not None


def lesson_columns() -> tuple[Any, Any]:
    """(settings, stage) containers for a lesson's top part.

    Settings sit in a column beside the animation only when that column is usable (about
    300 px of the measured width); otherwise above it. In classroom mode the animation gets
    the full width and the settings fold into a closed expander above it; in the presenter
    view they are hidden.
    """
    return stage.settings_container(t("Settings", "设置"))


stage_width = stage.stage_width


@bounded(FIGURE_BUDGET_MB)
def _figure_spec(
    name: str, _builder: Callable[..., go.Figure], args: tuple, kwargs: dict
) -> dict[str, Any]:
    """Build once per distinct inputs (``name`` + args are the key; the function is not);
    the oldest give way when the specs pass ``cache_budget.FIGURE_BUDGET_MB``."""
    return _builder(*args, **kwargs).to_dict()


def _sized(builder: Callable[..., go.Figure], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``kwargs`` with the room the figure really gets: ``width_hint`` (measured stage
    width) and, for an animation, ``height`` (the screen's budget), unless the page set them.

    Before the browser has reported a width, only figures made for the stage column
    (default 800 px) are given the assumed stage width.
    """
    params = inspect.signature(builder).parameters
    hint = params.get("width_hint")
    if hint is not None and "width_hint" not in kwargs and (
            stage.main_width() is not None or hint.default == 800):
        kwargs = {**kwargs, "width_hint": stage.stage_width()}
    if "frame_ms" in params and "height" in params and kwargs.get("height") is None:
        kwargs = {**kwargs, "height": stage.height_budget()}
    return kwargs


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``builder(*args, **kwargs).to_dict()`` at the size the page really has, cached on the
    inputs (an animation of 64 frames takes ~0.5 s to build; a rerun that changed none of
    them reuses it)."""
    kwargs = _sized(builder, kwargs)
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _figure_spec(name, builder, args, kwargs)


def _fitted(args: tuple, kwargs: dict[str, Any]) -> tuple[tuple, str | None]:
    """An animation's WindowSpec cropped (top-left) so its digits stay >= 16 px at the real
    width, with arrays of the output's shape cut alike; and the note that says so."""
    spec = args[0]
    titles = tuple(kwargs.get(f"{name}_title") for name in ("input", "kernel", "output"))
    part = fit_spec(spec, kwargs["width_hint"], classroom=bool(kwargs.get("classroom")),
                    budget=kwargs.get("height"), lang=kwargs.get("lang", "en"),
                    titles=titles)  # type: ignore[arg-type]
    if part is spec:
        return args, None
    (rr, cc), (r, c) = spec.output.shape, part.output.shape
    rest = [a[:r, :c] if isinstance(a, np.ndarray) and a.shape[:2] == (rr, cc) else a
            for a in args[1:]]
    return (part, *rest), t(CROPPED.format(r=r, c=c, rr=rr, cc=cc))


def plot(
    builder: Callable[..., go.Figure],
    *args: Any,
    key: str | None = None,
    alt: str | None = None,
    **kwargs: Any,
) -> None:
    """Show ``builder(*args, **kwargs)`` (cached by ``figure``) with ``show_plotly``.

    An animation of a WindowSpec is sized to the room it really has (a smaller crop when
    its numbers would be too small to read) and gets "Save for slides" (GIF / PNG). Its
    steps are plotly's own slider, and ←/→ on the focused chart (``stage``), so there is
    one step control. In the presenter view only the page's first animation is shown
    (still figures before it are left out, and the page ends after it).
    """
    kwargs = _sized(builder, kwargs)
    note = None
    if args and isinstance(args[0], WindowSpec) and "width_hint" in kwargs:
        args, note = _fitted(args, kwargs)
    spec = figure(builder, *args, **kwargs)
    animated = len(spec.get("frames") or []) > 1
    if stage.presenter() and not animated:
        return  # the presenter view shows the first animation alone, from the top
    show_plotly(spec, key=key, alt=alt)
    if note:
        st.caption(note)
    if not animated:
        return
    if stage.presenter():
        st.stop()
    if key and args and isinstance(args[0], WindowSpec):
        animation_downloads(args[0], kwargs, key)
    elif key and builder in FIGURE_DOWNLOADS:
        FIGURE_DOWNLOADS[builder](args, kwargs, key)


def formula(latex: str) -> None:
    """A formula (KaTeX) with its numbers filled in, pass the string from ``cnnviz.formulas``;
    one too wide for the stage wraps into aligned lines (``maths.wrap_latex``)."""
    font_px = 22 * 1.6 if classroom() else 18 * 1.25  # the app's .katex size (common.py CSS)
    st.latex(wrap_latex(latex, chars_that_fit(stage.stage_width(), font_px)))


