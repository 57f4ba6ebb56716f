"""The room a lesson really gets on screen, and the presenter view.

Figures are drawn in Python before the browser lays them out, so their numbers used to be
sized for an assumed width and came out too small or ran together in a narrower column
(sidebar open, a 1024 px projector). ``measure()`` mounts a tiny ``st.components.v2``
component (inline JavaScript, no build step) that reports the main column's real width
and the window's height into session state whenever they change (ResizeObserver: sidebar
opened or closed, window resized). ``stage_width()`` and ``height_budget()`` turn that into
what figure functions take (``width_hint``, ``height``).

The same script, installed once per browser tab, also: makes every animated chart
focusable and steps it with ←/→ (plotly's own slider is driven, so the slider, the
grids and the written-out sum always agree); steps the main animation with ←/→ anywhere in
the presenter view; and scales a formula that is still wider than its box down to fit.

The presenter view (``presenter()``; a button with the key P, Esc leaves it) hides the
sidebar, the settings and everything under the lesson's first animation, which gets the
whole screen.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cnnviz.i18n import Text
from cnnviz.ui.common import classroom, t

VIEW_KEY = "_cnnviz_view"  # {"width": px of the main column, "height": px of the window}
PROBE_KEY = "cnnviz_stage_probe"
PRESENTER_KEY = "presenter"
PRESENTER_MARK = "cnnviz_presenter"  # a keyed container the script looks for
SIDE_BY_SIDE_MIN = 1000  # main column px below which settings go above the stage
COLUMN_GAP = 80  # st.columns(gap="large") at the app's font size
SETTINGS_SHARE = 1 / 3.2  # lesson_columns' [1, 2.2]

_JS = r"""
const isTyping = el => !!el
  && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
function mainBox() {
  return document.querySelector('[data-testid="stMainBlockContainer"]')
      || document.querySelector('[data-testid="stMain"]');
}
function stepChart(gd, delta) {
  const sl = gd._fullLayout && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
  const ticks = gd.querySelectorAll('.slider-tick-rect');
  const touch = gd.querySelector('.slider-rail-touch-rect');
  if (!sl || !touch || !ticks.length) return false;
  const next = Math.max(0, Math.min(ticks.length - 1, (sl.active || 0) + delta));
  const tr = ticks[next].getBoundingClientRect(), rr = touch.getBoundingClientRect();
  const at = {bubbles: true, cancelable: true, view: window, button: 0,
              clientX: tr.left + tr.width / 2, clientY: rr.top + rr.height / 2};
  touch.dispatchEvent(new MouseEvent('mousedown', at));
  gd.dispatchEvent(new MouseEvent('mouseup', at));
  return true;
}
function animatedCharts() {
  const main = mainBox();
  return main ? Array.from(main.querySelectorAll('.stPlotlyChart'))
    .filter(c => c.querySelector('.slider-rail-touch-rect') && c.offsetParent !== null) : [];
}
function onKey(ev) {
  if ((ev.key !== 'ArrowLeft' && ev.key !== 'ArrowRight') || ev.altKey || ev.ctrlKey
      || ev.metaKey) return;
  const active = document.activeElement;
  let chart = active && active.closest ? active.closest('.stPlotlyChart') : null;
  if (!chart && document.querySelector('.st-key-cnnviz_presenter') && !isTyping(active))
    chart = animatedCharts()[0];
  const gd = chart && chart.querySelector('.js-plotly-plot');
  if (gd && stepChart(gd, ev.key === 'ArrowRight' ? 1 : -1)) ev.preventDefault();
}
function fitFormulas(main) {
  for (const d of main.querySelectorAll('.katex-display')) {
    const k = d.querySelector('.katex');
    const box = d.closest('[data-testid="stElementContainer"]') || d.parentElement;
    if (!k || !box || !box.clientWidth) continue;
    k.style.fontSize = '';
    for (let i = 0; i < 4; i++) {
      const need = Math.max(d.scrollWidth, k.scrollWidth, k.getBoundingClientRect().width);
      if (need <= box.clientWidth - 8) break;
      const px = parseFloat(getComputedStyle(k).fontSize);
      k.style.fontSize = (px * Math.max(0.5, (box.clientWidth - 12) / need)) + 'px';
    }
  }
}
function tidy() {
  const main = mainBox();
  if (!main) return;
  for (const c of animatedCharts()) {
    if (c.getAttribute('tabindex') === '0') continue;
    c.setAttribute('tabindex', '0');
    c.setAttribute('aria-keyshortcuts', 'ArrowLeft ArrowRight');
  }
  fitFormulas(main);
}
function installOnce() {
  if (window.__cnnvizStage) return;
  window.__cnnvizStage = true;
  document.addEventListener('keydown', onKey, true);
  let pending = 0;
  const later = () => { clearTimeout(pending); pending = setTimeout(tidy, 200); };
  new MutationObserver(later).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', later);
  later();
}
export default function (component) {
  const { data, setStateValue } = component;
  installOnce();
  const main = mainBox();
  if (!main) return;
  let sent = data || {};
  let timer = 0;
  const measure = () => {
    const cs = getComputedStyle(main);
    return {width: Math.round(main.clientWidth - parseFloat(cs.paddingLeft)
                              - parseFloat(cs.paddingRight)),
            height: Math.round(window.innerHeight)};
  };
  const report = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      const now = measure();
      if (!(now.width > 0)) return;
      // the width the server has (or is being sent): tests wait for it, then for the rerun
      document.documentElement.dataset.cnnvizWidth = String(now.width);
      if (sent.width && Math.abs(now.width - sent.width) < 24
          && Math.abs(now.height - sent.height) < 24) return;
      sent = now;
      setStateValue('view', now);
    }, 300);
  };
  const ro = new ResizeObserver(report);
  ro.observe(main);
  window.addEventListener('resize', report);
  report();
  return () => { ro.disconnect(); window.removeEventListener('resize', report);
                 clearTimeout(timer); };
}
"""

_probe = st.components.v2.component("cnnviz_stage", js=_JS)

_PRESENTER_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stHeader"], .st-key-cnnviz_settings { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.5rem 1rem 0 1rem !important;
                                       max-width: 100% !important; }
[data-testid="stMain"] [data-testid="stElementContainer"]:has(h1, h2, h3),
[data-testid="stMain"] h1, [data-testid="stMain"] h2,
[data-testid="stMain"] h3 { display: none !important; }
/* the hidden title and the page's style and probe elements leave no gaps above the figure */
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.25rem !important; }
/* the way out floats in the top-right corner, above the figure: no row of its own */
.st-key-cnnviz_presenter { position: fixed !important; right: 1rem; top: 0;
                           width: auto !important; z-index: 1000; }
</style>
"""

PRESENT = Text("Presenter view", "演示视图")
PRESENT_HELP = Text(
    "Only the animation, as large as the screen allows; ←/→ step it. Esc leaves.",
    "只显示动画，尽可能大；←/→ 逐步播放。按 Esc 退出。",
)
LEAVE = Text("Leave presenter view", "退出演示视图")


def _noop() -> None:
    """A state callback is what declares the component's ``view`` state."""


def measure() -> None:
    """Mount the width probe (every page, first thing): its report lands in ``VIEW_KEY``."""
    known = st.session_state.get(VIEW_KEY) or {}
    result = _probe(key=PROBE_KEY, data=known, default={"view": None},
                    on_view_change=_noop, height=0)
    view = getattr(result, "view", None)
    if isinstance(view, dict) and int(view.get("width") or 0) > 0:
        st.session_state[VIEW_KEY] = {"width": int(view["width"]),
                                      "height": int(view.get("height") or 0)}


def _view(name: str) -> int | None:
    value = (st.session_state.get(VIEW_KEY) or {}).get(name)
    return int(value) if value else None


def main_width() -> int | None:
    """The main column's content width in px as the browser reports it (None until then)."""
    return _view("width")


def presenter() -> bool:
    """Whether the presenter view is on."""
    return bool(st.session_state.get(PRESENTER_KEY, False))


def side_by_side() -> bool:
    """Settings in a column beside the stage: normal mode, and only when that column would
    still be usable (about 300 px); otherwise they go above it."""
    width = main_width()
    return not classroom() and not presenter() and (width is None or width >= SIDE_BY_SIDE_MIN)


def stage_width() -> int:
    """Width (px) the lesson's stage really gets: sizes grid numbers and the written-out sum.

    Measured in the browser; before the first report (it can take seconds on a slow
    machine), classroom mode assumes a 1280 px projector with the sidebar open (a ~720 px
    stage: too narrow a guess only crops, too wide a one makes numbers run together) and
    normal mode an 800 px column.
    """
    width = main_width()
    if width is None:
        return 720 if classroom() else 800
    if side_by_side():
        width = int(width * (1 - SETTINGS_SHARE) - COLUMN_GAP / 2)
    return max(320, width // 20 * 20)  # steps of 20 px: fewer distinct figures to cache


def height_budget() -> int:
    """Height (px) an animation with its controls may take: one screen with a little room
    (at most 700 px: the classroom rule is 720), the whole screen in the presenter view."""
    screen = _view("height") or 720
    if presenter():  # room for a row of tabs above the figure (transposed's two views)
        return max(360, screen - 130)
    return max(360, min(screen - 40, 700))


def _toggle() -> None:
    st.session_state[PRESENTER_KEY] = not presenter()


def presenter_button() -> None:
    """The button (and key P) that enters the presenter view."""
    st.button(t(PRESENT), key="cnnviz_present", icon=":material/slideshow:", shortcut="P",
              help=t(PRESENT_HELP), on_click=_toggle)


def presenter_frame() -> None:
    """In the presenter view: hide everything but the stage, and offer the way out (Esc)."""
    st.markdown(_PRESENTER_CSS, unsafe_allow_html=True)
    with st.container(key=PRESENTER_MARK):
        st.button(t(LEAVE), key="cnnviz_leave", icon=":material/close_fullscreen:",
                  shortcut="Esc", on_click=_toggle, type="tertiary")


def settings_container(expander_label: str) -> tuple[Any, Any]:
    """(settings, stage) for ``lesson_columns``; see there."""
    if presenter():
        return st.container(key="cnnviz_settings"), st.container()
    if classroom():
        settings = st.expander(expander_label, expanded=False, icon=":material/tune:")
        return settings, st.container()
    if not side_by_side():
        return st.container(border=True), st.container()
    left, right = st.columns([1, 2.2], gap="large")
    return left, right
