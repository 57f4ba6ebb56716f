"""Page speed: does every lesson page meet issue 3's budget on this machine?

Budget: a page is interactive within 1.5 s of opening, and a widget change redraws within
0.5 s, for a 256×256 image. Three measurements per lesson page (home and pages 1-9):

* **AppTest open**: a fresh ``AppTest`` of the page file with a 256×256 PNG already picked
  (``img_source="upload"``), Streamlit's caches cleared first (a new image on a cold server);
  the time of ``run()``.
* **AppTest change**: on that session, one slider moved (the first non-crop slider, to another
  value) and ``run()`` timed; caches warm, as on a live server.
* **Browser**: Streamlit started on a free 127.0.0.1 port, Debian Chromium through Playwright;
  one session uploads the 256×256 PNG, then for each page: the time from the navigation click
  to the page's first plotly chart visible (and the script idle), and from an arrow key on
  the page's first non-crop slider to the rerun finishing (``data-test-script-state``).

Each figure is the median of ``--repeats`` runs. The machine is shared, so the load average
is printed with the table; compare before/after figures taken at similar load.

    python benchmarks/page_speed.py [--repeats 5] [--no-browser] [--output benchmarks/PAGES.md | -]
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make cnnviz importable
    sys.path.insert(0, str(ROOT))
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

OPEN_BUDGET_S = 1.5
CHANGE_BUDGET_S = 0.5
SIDE = 256


@dataclass
class PageTimes:
    """Medians (seconds) for one page; None where not measured (e.g. no slider on home)."""

    url_path: str
    file: str
    open_s: list[float] = field(default_factory=list)
    change_s: list[float] = field(default_factory=list)
    browser_open_s: list[float] = field(default_factory=list)
    browser_change_s: list[float] = field(default_factory=list)
    slider: str = ""
    errors: list[str] = field(default_factory=list)


def med(xs: list[float]) -> float | None:
    """Median or None for an empty list."""
    return statistics.median(xs) if xs else None


def test_png(side: int = SIDE) -> bytes:
    """A 256×256 picture with edges, gradients and texture (what a learner's photo has)."""
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) / side
    rng = np.random.default_rng(0)
    g = 0.5 + 0.3 * np.sin(12 * xx) * np.cos(9 * yy)
    g[side // 4 : side // 2, side // 5 : side // 2] = 0.95
    g += rng.normal(0, 0.03, g.shape)
    rgb = np.stack([g, np.clip(g * xx + 0.2, 0, 1), np.clip(1 - g * yy, 0, 1)], -1)
    buf = io.BytesIO()
    Image.fromarray((np.clip(rgb, 0, 1) * 255).astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def lesson_rows() -> list[tuple[str, str]]:
    """(url_path, file) of home and the operation lessons, from the lesson registry."""
    from cnnviz.lessons.registry import LESSONS

    return [
        (lesson.slug, f"pages/{lesson.page}")
        for lesson in LESSONS
        if lesson.section in ("basics", "operations")
    ]


# ----------------------------------------------------------------------------- AppTest


def _pick_change(at: object, url_path: str) -> tuple[str, str, object] | None:
    """(kind, key, new value): the registry's radio demo, else the first non-crop slider."""
    from cnnviz.lessons.registry import by_slug

    demo = by_slug(url_path).demo
    if demo is not None and demo.kind == "radio":
        return demo.kind, demo.key, demo.value
    for s in at.slider:  # type: ignore[attr-defined]
        if not s.key or "crop" in s.key or isinstance(s.value, tuple) or s.max <= s.min:
            continue
        step = s.step or 1
        return "slider", s.key, s.value + step if s.value + step <= s.max else s.value - step
    return None


def time_apptest(times: PageTimes, png: bytes, repeats: int) -> None:
    """Fill ``open_s`` and ``change_s`` for one page under AppTest."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    for _ in range(repeats):
        st.cache_data.clear()
        at = AppTest.from_file(str(ROOT / times.file), default_timeout=120)
        at.session_state["lang"] = "en"
        at.session_state["classroom"] = False
        at.session_state["img_source"] = "upload"
        at.session_state["img_bytes"] = png
        at.session_state["img_name"] = "bench.png"
        t0 = time.perf_counter()
        at.run()
        times.open_s.append(time.perf_counter() - t0)
        if at.exception:
            times.errors.append(f"open: {at.exception[0].value}")
            return
        move = _pick_change(at, times.url_path)
        if move is None:
            continue
        kind, key, value = move
        times.slider = f"{kind}:{key}"
        widget = at.slider(key=key) if kind == "slider" else at.radio(key=key)
        widget.set_value(value)
        t0 = time.perf_counter()
        at.run()
        times.change_s.append(time.perf_counter() - t0)
        if at.exception:
            times.errors.append(f"change: {at.exception[0].value}")
            return


# ----------------------------------------------------------------------------- browser


# idle: script not running, connected, the expected title shown, nothing stale left over
READY_JS = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h = document.querySelector('[data-testid="stMain"] h1');
  if (!app || !h || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (title !== null && h.innerText === title) return false;
  return true;
}"""
# a plotly chart of the current run drawn and on screen
CHART_JS = """() => {
  for (const p of document.querySelectorAll('.js-plotly-plot .main-svg')) {
    const box = p.getBoundingClientRect();
    const stale = p.closest('[data-stale="true"]');
    if (!stale && box.width > 0 && box.height > 0) return true;
  }
  return false;
}"""
TITLE_JS = """() => { const h = document.querySelector('[data-testid="stMain"] h1');
                     return h ? h.innerText : null; }"""
WATCH_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__states = [];
  window.__obs && window.__obs.disconnect();
  window.__obs = new MutationObserver(() => window.__states.push(
      [app.getAttribute('data-test-script-state'), performance.now()]));
  window.__obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  window.__t0 = performance.now();
}"""
# finished: a 'running' seen after the key press, then the latest state is 'notRunning'
DONE_JS = """() => {
  const s = window.__states || [];
  const i = s.findIndex(x => x[0] === 'running');
  if (i < 0) return false;
  const last = s[s.length - 1];
  return last[0] === 'notRunning' ? last[1] - window.__t0 : false;
}"""


def _wait_idle(pg: object, title: str | None, timeout_ms: int = 60_000) -> None:
    pg.wait_for_function(READY_JS, arg=title, timeout=timeout_ms)  # type: ignore[attr-defined]


def time_browser(rows: list[PageTimes], png: bytes, repeats: int) -> str:
    """Fill the browser figures; returns the server log path (for errors)."""
    from playwright.sync_api import sync_playwright

    log = Path(tempfile.gettempdir()) / "cnnviz_page_speed_server.log"
    with (running_app(log) as (url, _proc), sync_playwright() as p,
          tempfile.TemporaryDirectory() as tmp):
        upload = Path(tmp) / "bench.png"
        upload.write_bytes(png)
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
        pg = ctx.new_page()
        pg.set_default_timeout(60_000)
        pg.goto(f"{url}/convolution")
        _wait_idle(pg, None)
        pg.locator('[data-testid="stRadio"] label').filter(has_text="Upload").first.click()
        _wait_idle(pg, None)
        pg.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(str(upload))
        pg.wait_for_function("() => document.body.innerText.includes('bench.png')")
        _wait_idle(pg, None)
        for _ in range(repeats):
            for row in rows:
                href = f"{url}/" if row.url_path == "home" else f"{url}/{row.url_path}"
                if pg.url.rstrip("/") == href.rstrip("/"):  # already there: step away, untimed
                    away = f"{url}/stride" if row.url_path == "home" else f"{url}/"
                    title = pg.evaluate(TITLE_JS)
                    pg.locator(f'[data-testid="stSidebarNav"] a[href="{away}"]').first.click()
                    _wait_idle(pg, title)
                title = pg.evaluate(TITLE_JS)
                link = pg.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]')
                t0 = time.perf_counter()
                link.first.click()
                _wait_idle(pg, title)
                if row.url_path != "home":
                    pg.wait_for_function(CHART_JS)
                row.browser_open_s.append(time.perf_counter() - t0)
                if pg.locator('[data-testid="stException"]').count():
                    row.errors.append("browser: exception shown")
                if not row.slider:
                    continue
                kind, key = row.slider.split(":", 1)
                pg.evaluate(WATCH_JS)
                if kind == "slider":
                    thumb = pg.locator(f'.st-key-{key} input[type="range"]').first
                    thumb.focus()
                    at_max = thumb.evaluate("e => Number(e.value) >= Number(e.max)")
                    pg.evaluate(WATCH_JS)
                    # widget state is dropped on leaving a page: every visit starts at default
                    pg.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
                else:  # the next option of a radio group
                    options = pg.locator(f'.st-key-{key} [role="radiogroup"] label')
                    options.nth(1).click()  # the default is the first option
                try:
                    ms = pg.wait_for_function(DONE_JS, timeout=30_000).json_value()
                    row.browser_change_s.append(float(ms) / 1000)
                except Exception as err:  # noqa: BLE001 - a timeout is a result to report
                    row.errors.append(f"browser change: {type(err).__name__}")
                _wait_idle(pg, None)
        ctx.close()
        browser.close()
    return str(log)


# ----------------------------------------------------------------------------- report


def fmt(x: float | None, budget: float) -> str:
    """Seconds with a marker when over budget."""
    if x is None:
        return "–"
    return f"{x:.2f}" + (" ⚠" if x > budget else "")


def table(rows: list[PageTimes]) -> str:
    """A Markdown table, one row per page."""
    out = [
        "| page | AppTest open (s) | AppTest change (s) | browser open → chart (s) "
        "| browser slider → idle (s) | slider |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in rows:
        out.append(
            f"| {r.url_path} | {fmt(med(r.open_s), OPEN_BUDGET_S)} "
            f"| {fmt(med(r.change_s), CHANGE_BUDGET_S)} "
            f"| {fmt(med(r.browser_open_s), OPEN_BUDGET_S)} "
            f"| {fmt(med(r.browser_change_s), CHANGE_BUDGET_S)} | {r.slider or '–'} |"
        )
    return "\n".join(out)


def _quiet_streamlit() -> None:
    """Silence bare-mode warnings (no runtime, no ScriptRunContext) that AppTest triggers."""
    import streamlit  # noqa: F401 - creates its loggers

    for name in list(logging.root.manager.loggerDict):
        if name.startswith("streamlit"):
            logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    """Run the measurements, print the table, write the Markdown file."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-browser", action="store_true")
    ap.add_argument("--pages", default="", help="comma-separated url paths (default: all)")
    ap.add_argument("--output", default=str(ROOT / "benchmarks" / "PAGES.md"))
    args = ap.parse_args(argv)
    _quiet_streamlit()

    wanted = {p for p in args.pages.split(",") if p}
    rows = [PageTimes(u, f) for u, f in lesson_rows() if not wanted or u in wanted]
    png = test_png()
    load_before = os.getloadavg()
    for row in rows:
        time_apptest(row, png, args.repeats)
        print(f"{row.url_path:13s} open {fmt(med(row.open_s), OPEN_BUDGET_S):>7s}  "
              f"change {fmt(med(row.change_s), CHANGE_BUDGET_S):>7s}", flush=True)
    if not args.no_browser and Path(CHROMIUM).exists():
        time_browser(rows, png, args.repeats)
    load_after = os.getloadavg()

    errors = [f"{r.url_path}: {e}" for r in rows for e in r.errors]
    report = "\n".join([
        "# Lesson page speed",
        "",
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}; a {SIDE}×{SIDE} PNG "
        f"upload; median of {args.repeats}. Load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in load_before)}, after "
        f"{'/'.join(f'{x:.1f}' for x in load_after)}.",
        f"Budget: open ≤ {OPEN_BUDGET_S} s, change ≤ {CHANGE_BUDGET_S} s (⚠ = over).",
        "",
        table(rows),
        "",
        "Errors: " + ("; ".join(errors) if errors else "none"),
        "",
        "AppTest open clears `st.cache_data` first (a new image on a cold server); the change",
        "rerun is warm. Browser figures are in-app navigation in one session that uploaded the",
        "PNG, from the click to the first plotly chart drawn with the script idle; the slider",
        "figure is from an arrow key on the focused slider to the script going idle again.",
        "Run: `python benchmarks/page_speed.py` (add `--no-browser` without Chromium).",
        "",
    ])
    print(report)
    if args.output != "-":
        Path(args.output).write_text(report, encoding="utf-8")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
