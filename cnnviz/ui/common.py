"""Language, classroom mode and the small layout helpers every lesson page uses.

State lives in ``st.session_state`` under fixed keys so it survives page switches:
``"lang"`` ("en" | "zh") and ``"classroom"`` (bool). The sidebar widgets (rendered by
``app.py`` on every run) own those keys; a page run on its own (AppTest) just reads them,
so a test sets ``at.session_state["lang"] = "zh"`` before ``at.run()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import streamlit as st

from cnnviz.i18n import DEFAULT_LANG, LANGUAGES, common, pick

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


def show_plotly(fig: go.Figure, key: str | None = None) -> None:
    """A plotly figure at full width, no plotly logo, theme off (our colours are chosen)."""
    st.plotly_chart(
        fig,
        width="stretch",
        theme=None,
        key=key,
        config={
            "displaylogo": False,
            "scrollZoom": False,
            "modeBarButtonsToRemove": ["select2d", "lasso2d"],
        },
    )


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
