"""Language, classroom mode and the small layout helpers every lesson page uses.

State lives in ``st.session_state`` under fixed keys so it survives page switches:
``"lang"`` ("en" | "zh") and ``"classroom"`` (bool). The sidebar widgets (rendered by
``app.py`` on every run) own those keys; a page run on its own (AppTest) just reads them,
so a test sets ``at.session_state["lang"] = "zh"`` before ``at.run()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from cnnviz.i18n import DEFAULT_LANG, LANGUAGES, common, pick
from cnnviz.viz.alt_text import describe_figure

LANG_KEY = "lang"
CLASSROOM_KEY = "classroom"

_BASE_CSS = """
<style>
/* readable from the back of a room: bigger body text, mono numbers */
html { font-size: 18px; }
.stMarkdown p, .stMarkdown li { line-height: 1.55; }
.katex { font-size: 1.25em; }
</style>
"""

_CLASSROOM_CSS = """
<style>
html { font-size: 22px; }
.stMarkdown p, .stMarkdown li { font-size: 1.2rem; line-height: 1.6; }
h1 { font-size: 2.6rem !important; }
h2 { font-size: 2.0rem !important; }
h3 { font-size: 1.6rem !important; }
.katex { font-size: 1.6em; }
[data-testid="stWidgetLabel"] p { font-size: 1.1rem; font-weight: 600; }
.block-container { padding-top: 1.5rem; max-width: 100%; }
</style>
"""


def lang() -> str:
    """The learner's language code ("en" or "zh")."""
    value = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    return value if value in LANGUAGES else DEFAULT_LANG


def t(en: str, zh: str) -> str:
    """Inline bilingual string: ``t("Stride", "步幅")``."""
    return pick(lang(), en, zh)


def tc(key: str) -> str:
    """A string from ``cnnviz.i18n.COMMON`` in the current language."""
    return common(lang(), key)


def classroom() -> bool:
    """Whether classroom mode (large type, high contrast, explanations folded) is on."""
    return bool(st.session_state.get(CLASSROOM_KEY, False))


def inject_css() -> None:
    """Projector-friendly type; larger again in classroom mode."""
    st.markdown(_BASE_CSS, unsafe_allow_html=True)
    if classroom():
        st.markdown(_CLASSROOM_CSS, unsafe_allow_html=True)


def sidebar() -> None:
    """Language selector, classroom toggle and credits (called once per run by app.py)."""
    with st.sidebar:
        codes = list(LANGUAGES)
        st.selectbox(
            "Language / 语言",
            codes,
            index=codes.index(lang()),
            format_func=LANGUAGES.__getitem__,
            key=LANG_KEY,
        )
        st.toggle(
            tc("classroom"),
            value=classroom(),
            key=CLASSROOM_KEY,
            help=t(
                "Larger type, high-contrast colours, explanations folded away.",
                "更大的字号、高对比度配色，讲解内容折叠。",
            ),
        )
    inject_css()


def _resend_if_language_changed(key: str) -> bool:
    """Make a keyed widget redraw its chosen option's label in the new language.

    With a ``key``, Streamlit keeps the widget's identity when ``format_func``'s labels
    change, and the browser goes on showing the old label ("Shapes" after switching to
    简体中文; streamlit/streamlit PR #13788). Writing the current value back through the
    Session State API makes Streamlit send it, freshly formatted. Returns True when it did.
    """
    marker = f"_label_lang::{key}"
    previous = st.session_state.get(marker)
    st.session_state[marker] = lang()
    if previous is None or previous == lang() or key not in st.session_state:
        return False
    st.session_state[key] = st.session_state[key]
    return True


def selectbox(label: str, options: Sequence[Any], index: int | None = 0, *, key: str,
              **kwargs: Any) -> Any:
    """``st.selectbox`` whose shown label follows a language switch (see above)."""
    if _resend_if_language_changed(key):
        index = None  # the value comes from Session State; no second default
    return st.selectbox(label, options, index=index, key=key, **kwargs)


def radio(label: str, options: Sequence[Any], index: int | None = 0, *, key: str,
          **kwargs: Any) -> Any:
    """``st.radio`` whose shown option follows a language switch (see ``selectbox``)."""
    if _resend_if_language_changed(key):
        index = None
    return st.radio(label, options, index=index, key=key, **kwargs)


def credits() -> None:
    """MNIST attribution (required by its licence) in the sidebar footer."""
    with st.sidebar:
        st.divider()
        st.caption(tc("mnist_credit"))


def route_through_app() -> None:
    """Hand a lesson opened by its URL to ``app.py`` when Streamlit bypassed it.

    Until ``st.navigation`` has run once in a server process, Streamlit treats ``pages/``
    as a legacy multipage folder and runs a deep-linked page file on its own: no sidebar,
    no language, no navigation. The page then switches that legacy mode off and reruns,
    so the same URL goes through ``app.py``'s navigation like every later visit.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def page_title(en: str, zh: str, intro_en: str = "", intro_zh: str = "") -> None:
    """Page heading and a one-line lead (first call of every page, so it also routes)."""
    route_through_app()
    st.title(t(en, zh))
    if intro_en or intro_zh:
        st.markdown(t(intro_en, intro_zh))


def explain(md_en: str, md_zh: str, title: str | None = None) -> None:
    """An explanation beside a picture; folded into an expander in classroom mode."""
    text = t(md_en, md_zh)
    if classroom():
        with st.expander(title or tc("explanation"), expanded=False):
            st.markdown(text)
    else:
        if title:
            st.markdown(f"**{title}**")
        st.markdown(text)


def formula(latex: str) -> None:
    """A formula (KaTeX); pass the string from ``cnnviz.formulas`` with numbers filled in."""
    st.latex(latex)


class _Prebuilt(go.Figure):
    """A figure already turned into a dict: ``st.plotly_chart`` takes it as it is.

    Streamlit re-validates a plain dict (hundreds of animation frames: ~0.5 s) and deep-copies
    a ``go.Figure`` via ``to_dict``; this empty Figure hands over the cached dict instead.
    """

    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict[str, Any]:  # type: ignore[override]
        return self._spec


_PLOTLY_CONFIG = {
    "displaylogo": False,
    "scrollZoom": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def show_plotly(
    fig: go.Figure | dict[str, Any], key: str | None = None, alt: str | None = None
) -> None:
    """A plotly figure at full width, no plotly logo, theme off (our colours are chosen).

    Every figure gets a text alternative (the chart's accessible name): ``alt`` or one
    generated from the figure's titles, sizes, values and animation steps.
    """
    spec = fig if isinstance(fig, dict) else fig.to_dict()
    st.plotly_chart(
        _Prebuilt(spec),
        width="stretch",
        theme=None,
        key=key,
        config=_PLOTLY_CONFIG,
        alt=alt or describe_figure(spec, lang()),
    )


@st.cache_data(show_spinner=False, max_entries=96)
def _figure_spec(
    name: str, _builder: Callable[..., go.Figure], args: tuple, kwargs: dict
) -> dict[str, Any]:
    """Build once per distinct inputs (``name`` + args are the key; the function is not)."""
    return _builder(*args, **kwargs).to_dict()


def figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """``builder(*args, **kwargs).to_dict()``, cached on the inputs.

    Plotly builds and validates figures slowly (an animation of 64 frames takes ~0.5 s);
    the inputs (engine arrays, settings, language) decide the figure, so a rerun that did
    not change them (another widget moved, a page revisited) reuses it.
    """
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _figure_spec(name, builder, args, kwargs)


def plot(
    builder: Callable[..., go.Figure],
    *args: Any,
    key: str | None = None,
    alt: str | None = None,
    **kwargs: Any,
) -> None:
    """Show ``builder(*args, **kwargs)`` (cached by ``figure``) with ``show_plotly``."""
    show_plotly(figure(builder, *args, **kwargs), key=key, alt=alt)


def memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``st.cache_data`` for a pure engine computation on a whole image (keyed by inputs)."""
    return st.cache_data(show_spinner=False, max_entries=64)(fn)


def quiz(
    question: str,
    options: Sequence[str],
    correct: int,
    key: str,
    explanation: str = "",
) -> bool | None:
    """A multiple-choice check, marked as soon as it is answered.

    ``correct`` is the index into ``options``. Returns None until answered, then whether
    the answer was right. Put the current settings into the question so it changes with them.
    """
    choice = st.radio(question, list(options), index=None, key=key)
    if choice is None:
        return None
    ok = list(options).index(choice) == correct
    msg = tc("correct") if ok else f"{tc('wrong')} {t('Answer', '答案')}: {options[correct]}"
    if explanation:
        msg += "  \n" + explanation
    (st.success if ok else st.error)(msg)
    return ok
