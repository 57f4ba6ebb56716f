"""Language, classroom mode, the app's CSS and the small helpers every lesson page uses
(the page frame, sized figures and links are in ``page``, ``stage`` and ``links``).

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

from cnnviz.content import entry
from cnnviz.i18n import DEFAULT_LANG, LANGUAGES, LocalizedError, Text, common
from cnnviz.lessons.quizzes import Question
from cnnviz.ui import streamlit_strings
from cnnviz.ui.cache_budget import MEMO_BUDGET_MB, bounded
from cnnviz.viz.alt_text import describe_figure

LANG_KEY = "lang"
CLASSROOM_KEY = "classroom"

_BASE_CSS = """
<style>
/* readable from the back of a room: bigger body text, mono numbers */
html { font-size: 18px; }
.stMarkdown p, .stMarkdown li { line-height: 1.55; }
.katex { font-size: 1.25em; }
/* KaTeX's aligned lines reach a few px past their box: room for them inside it */
.katex-display { padding: 0 6px; }
.katex-display > .katex { padding-right: 4px; }
/* captions: Streamlit draws them grey at 0.6 opacity (~3.4:1 on white as rendered);
   full opacity and #3d3d3d make ~11:1 (WCAG AAA) */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {
  opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #3d3d3d !important; }
/* the width probe (cnnviz.ui.stage) takes no room */
.st-key-cnnviz_stage_probe { display: none !important; }
/* a visible keyboard focus ring on every control */
:focus-visible { outline: 3px solid #c2410c !important; outline-offset: 2px; }
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
/* the stage gets the width: Streamlit's 5rem side padding (110 px here) left a 1024 px
   projector with the sidebar open only ~470 px for the animation */
.block-container, [data-testid="stMainBlockContainer"] {
  padding-top: 1rem; padding-left: 1.5rem; padding-right: 1.5rem; max-width: 100%; }
/* less room above the first animation: it has to fit one 720 px screen with its controls */
h1 { padding: 0.2rem 0 0.4rem 0 !important; }
h2, h3 { padding: 0.4rem 0 0.2rem 0 !important; }
</style>
"""


def lang() -> str:
    """The learner's language code ("en" or "zh"): their choice, else their browser's."""
    value = st.session_state.get(LANG_KEY) or browser_language()
    return value if value in LANGUAGES else DEFAULT_LANG


def browser_language() -> str:
    """"zh" when the browser asks for Chinese first (a new visitor's default), else English."""
    try:
        locale = st.context.locale or ""
    except (AttributeError, RuntimeError):  # no browser (AppTest, bare mode)
        locale = ""
    return "zh" if locale.lower().startswith("zh") else DEFAULT_LANG


def t(text: Text | str, zh: str | None = None) -> str:
    """A ``Text`` in the learner's language; ``t(en, zh)`` is short for ``t(Text(en, zh))``."""
    if isinstance(text, Text):
        return text.get(lang())
    if zh is None:
        raise TypeError("t() needs a Text or both an English and a Chinese string")
    return Text(text, zh).get(lang())


def tc(key: str) -> str:
    """A string from ``cnnviz.i18n.COMMON`` in the current language."""
    return common(lang(), key)


def classroom() -> bool:
    """Whether classroom mode (large type, high contrast, explanations folded) is on."""
    return bool(st.session_state.get(CLASSROOM_KEY, False))


def inject_css() -> None:
    """Projector-friendly type; larger again in classroom mode."""
    st.markdown(_BASE_CSS, unsafe_allow_html=True)
    streamlit_strings.inject(lang())  # Streamlit's own English, in Chinese by CSS
    if classroom():
        st.markdown(_CLASSROOM_CSS, unsafe_allow_html=True)


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


def prose(slug: str, key: str, **values: Any) -> str:
    """Entry ``key`` of the lesson's content file (``cnnviz/content/<slug>.toml``) in the
    learner's language, ``{placeholders}`` filled from ``values``.

    Lesson prose lives there, beside its translation, so a teacher edits it without Python.
    """
    return t(entry(slug, key, **values))


def explain(md: Text | str, md_zh: str | None = None, title: str | None = None) -> None:
    """An explanation beside a picture; folded into an expander in classroom mode.

    ``md`` is a ``Text``; ``explain(en, zh)`` is short for ``explain(Text(en, zh))``.
    """
    text = t(md, md_zh)
    if classroom():
        with st.expander(title or tc("explanation"), expanded=False):
            st.markdown(text)
    else:
        if title:
            st.markdown(f"**{title}**")
        st.markdown(text)


def explain_entry(slug: str, key: str, title: str | None = None, **values: Any) -> None:
    """``explain`` with entry ``key`` of the lesson's content file (see ``prose``)."""
    explain(entry(slug, key, **values), title=title)


def show_error(err: LocalizedError) -> None:
    """An error the learner can act on, in their language (never a traceback)."""
    st.error(err.message(lang()))


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


def memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``st.cache_data`` for a pure engine computation on a whole image (keyed by inputs),
    holding at most ``cache_budget.MEMO_BUDGET_MB`` of results."""
    return bounded(MEMO_BUDGET_MB, max_entries=64)(fn)


REVEAL = Text("Reveal the answer", "揭晓答案")
VOTE = Text("Vote first (a show of hands), then reveal the answer.",
            "先投票（举手表决），再揭晓答案。")


def _reveal(key: str) -> None:
    st.session_state[key] = True


def quiz(q: Question, key: str) -> bool | None:
    """A multiple-choice check (built by ``cnnviz.lessons`` from the current settings).

    Normally marked as soon as it is answered. In classroom mode it is peer instruction:
    the class votes first, and the answer is shown only after "Reveal the answer" (the
    choice, if the teacher recorded the vote, is marked then).

    Returns None until answered (and, in classroom mode, revealed), then whether the answer
    was right. Put the settings into ``key`` too, so a changed question starts afresh.
    """
    options = [q.option(i, lang()) for i in range(len(q.options))]
    choice = st.radio(t(q.question), options, index=None, key=key)
    revealed = f"{key}__revealed"
    if classroom() and not st.session_state.get(revealed):
        st.caption(t(VOTE))
        st.button(t(REVEAL), key=f"{key}__reveal", icon=":material/visibility:",
                  on_click=_reveal, args=(revealed,))
        return None
    answer = f"{t('Answer', '答案')}: {options[q.correct]}"
    explanation = t(q.explanation)
    if choice is None:
        if classroom():
            st.info(answer + ("  \n" + explanation if explanation else ""))
        return None
    ok = options.index(choice) == q.correct
    msg = tc("correct") if ok else f"{tc('wrong')} {answer}"
    if explanation:
        msg += "  \n" + explanation
    (st.success if ok else st.error)(msg)
    return ok
