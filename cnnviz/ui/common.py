"""Language, classroom mode and the small layout helpers every lesson page uses.

State lives in ``st.session_state`` under fixed keys so it survives page switches:
``"lang"`` ("en" | "zh") and ``"classroom"`` (bool). The sidebar widgets (rendered by
``app.py`` on every run) own those keys; a page run on its own (AppTest) just reads them,
so a test sets ``at.session_state["lang"] = "zh"`` before ``at.run()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from cnnviz.content import entry, lesson_text
from cnnviz.i18n import DEFAULT_LANG, LANGUAGES, LocalizedError, Text, common
from cnnviz.kernels import KernelPreset, preset
from cnnviz.lessons import registry
from cnnviz.lessons.quizzes import Question
from cnnviz.ui import streamlit_strings
from cnnviz.viz.alt_text import describe_figure

LANG_KEY = "lang"
CLASSROOM_KEY = "classroom"

_BASE_CSS = """
<style>
/* readable from the back of a room: bigger body text, mono numbers */
html { font-size: 18px; }
.stMarkdown p, .stMarkdown li { line-height: 1.55; }
.katex { font-size: 1.25em; }
/* captions: Streamlit's default grey is ~4.3:1 on white; #3d3d3d is ~11:1 (WCAG AAA) */
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #3d3d3d; }
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
.block-container { padding-top: 1.5rem; max-width: 100%; }
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


def page_title(page_file: str) -> registry.Lesson:
    """The page's registered title and its content file's intro (first call of every page,
    so it also routes): ``lesson = ui.page_title(__file__)``; ``lesson.slug`` names the
    page's content file for ``prose`` and ``explain_entry``."""
    route_through_app()
    lesson = registry.by_page(page_file)
    st.title(lesson.heading(lang()))
    intro = lesson_text(lesson.slug).get("intro")
    if intro is not None:
        st.markdown(t(intro))
    return lesson


def prose(slug: str, key: str, **values: Any) -> str:
    """Entry ``key`` of the lesson's content file (``cnnviz/content/<slug>.toml``) in the
    learner's language, ``{placeholders}`` filled from ``values``.

    Lesson prose lives there, beside its translation, so a teacher edits it without Python.
    """
    return t(entry(slug, key, **values))


def lesson_columns() -> tuple[Any, Any]:
    """(settings, stage) containers for a lesson's top part.

    Normally settings sit in a column beside the animation. In classroom mode the
    animation gets the full width (its cell numbers stay large on a projector) and the
    settings fold into a closed expander above it, so the picture is on screen at once.
    """
    if classroom():
        settings = st.expander(t("Settings", "设置"), expanded=False, icon=":material/tune:")
        return settings, st.container()
    left, right = st.columns([1, 2.2], gap="large")
    return left, right


def stage_width() -> int:
    """Expected on-screen width (px) of the animation: sizes its numbers to fit the cells.

    Classroom mode assumes a 1600 px projector with the sidebar open (a ~1050 px stage):
    sizing for a wider stage made neighbouring numbers run together.
    """
    return 1000 if classroom() else 800


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


def kernel_picker(
    label: str, keys: Iterable[str], *, key: str, default: str | None = None
) -> KernelPreset:
    """A select box of kernel presets (``cnnviz.kernels``) by their names; returns the preset.

    ``keys`` are the presets offered (``presets_for(k, ...)`` keeps them valid at the
    current size); ``default`` is the one chosen first (else the first of ``keys``).
    """
    keys = list(keys)
    index = keys.index(default) if default is not None else 0
    chosen = selectbox(
        label, keys, index=index, format_func=lambda k: t(preset(k).name), key=key
    )
    return preset(chosen)


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
    import inspect

    param = inspect.signature(builder).parameters.get("width_hint")
    if "width_hint" not in kwargs and param is not None and param.default == 800:
        # a figure for the stage column (default 800 px) is wider in classroom mode
        kwargs["width_hint"] = stage_width()
    name = f"{builder.__module__}.{builder.__qualname__}"
    return _figure_spec(name, builder, args, kwargs)


def frame_at(spec: dict[str, Any], step: int) -> dict[str, Any]:
    """The figure dict showing animation frame ``step`` (0-based) as its still picture.

    Only the traces the frame animates and the layout it sets (the written-out sum) are
    swapped in; the step slider is moved there so Play continues from it.
    """
    frames = spec.get("frames") or []
    if not frames or step <= 0:
        return spec
    frame = frames[min(step, len(frames) - 1)]
    data = list(spec["data"])
    for index, trace in zip(frame.get("traces", []), frame.get("data", [])):
        data[index] = {**data[index], **trace}
    layout = {**spec.get("layout", {}), **frame.get("layout", {})}
    if layout.get("sliders"):
        layout["sliders"] = [{**layout["sliders"][0], "active": min(step, len(frames) - 1)},
                             *layout["sliders"][1:]]
    return {**spec, "data": data, "layout": layout}


def plot(
    builder: Callable[..., go.Figure],
    *args: Any,
    key: str | None = None,
    alt: str | None = None,
    **kwargs: Any,
) -> None:
    """Show ``builder(*args, **kwargs)`` (cached by ``figure``) with ``show_plotly``.

    An animation also gets a step box: plotly's Play buttons and step slider are SVG,
    out of reach of the keyboard, so a teacher with a clicker or a learner who cannot use
    a mouse steps with Tab and the arrow keys here (the figure shows that step).
    """
    spec = figure(builder, *args, **kwargs)
    n = len(spec.get("frames") or [])
    if n <= 1 or not key:
        show_plotly(spec, key=key, alt=alt)
        return
    holder = st.container()  # the chart above its step box
    step = int(
        st.number_input(
            t(f"Step (1–{n}; arrow keys)", f"步骤（1–{n}；可用方向键）"),
            min_value=1, max_value=n, value=1, step=1, key=f"{key}_step_{n}",
        )
    )
    with holder:
        show_plotly(frame_at(spec, step - 1), key=key, alt=alt)


def memo(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``st.cache_data`` for a pure engine computation on a whole image (keyed by inputs)."""
    return st.cache_data(show_spinner=False, max_entries=64)(fn)


def quiz(q: Question, key: str) -> bool | None:
    """A multiple-choice check (built by ``cnnviz.lessons`` from the current settings),
    marked as soon as it is answered.

    Returns None until answered, then whether the answer was right. Put the settings into
    ``key`` too, so a changed question starts unanswered.
    """
    options = [q.option(i, lang()) for i in range(len(q.options))]
    choice = st.radio(t(q.question), options, index=None, key=key)
    if choice is None:
        return None
    ok = options.index(choice) == q.correct
    msg = tc("correct") if ok else f"{tc('wrong')} {t('Answer', '答案')}: {options[q.correct]}"
    explanation = t(q.explanation)
    if explanation:
        msg += "  \n" + explanation
    (st.success if ok else st.error)(msg)
    return ok
