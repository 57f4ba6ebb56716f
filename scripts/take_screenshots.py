"""Regenerate the README screenshots in docs/screenshots from a freshly started app.

python scripts/take_screenshots.py [--out docs/screenshots] [--url http://127.0.0.1:8501]

Starts ``streamlit run app.py`` on a free port (unless ``--url`` points at a running app),
drives headless Debian Chromium (``/usr/bin/chromium``, never ``playwright install``) at
1600×1000 like a projector, and saves each view as an optimised PNG (palette-quantised when
the full-colour file would be over ~400 KB). Animations are shown mid-way through, set with
the step box under each animation (deterministic, unlike timing a playing animation).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from tests.app_server import (  # noqa: E402
    ACTIVE_FRAME_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    FRAME_COUNT_JS,
    IDLE_JS,
    running_app,
)

VIEWPORT = {"width": 1600, "height": 1000}
MAX_BYTES = 400_000


def settle(pg, timeout_s: float = 120.0) -> None:  # noqa: ANN001
    """Script finished and the page connected, on three polls in a row."""
    deadline = time.monotonic() + timeout_s
    idle = 0
    while idle < 3:
        if time.monotonic() > deadline:
            raise TimeoutError("the page did not settle")
        pg.wait_for_timeout(250)
        idle = idle + 1 if pg.evaluate(IDLE_JS) else 0


def no_exception(pg, name: str) -> None:  # noqa: ANN001
    if pg.locator('[data-testid="stException"]').count():
        raise RuntimeError(f"{name}: the page shows a traceback")


def go(pg, url_path: str, figure: bool = True) -> None:  # noqa: ANN001
    """Follow the sidebar link (keeps the session), wait for the page and its figures."""
    pg.locator(f'[data-testid="stSidebarNav"] a[href$="/{url_path}"]').first.click()
    pg.wait_for_url(f"**/{url_path}", timeout=60_000)
    settle(pg)
    if figure:
        pg.locator('[data-testid="stMain"] .js-plotly-plot').first.wait_for(timeout=120_000)
    settle(pg)


def mid_animation(pg, fraction: float = 0.45) -> None:  # noqa: ANN001
    """Show the first animation about ``fraction`` of the way through (via its step box)."""
    plot = pg.locator('[data-testid="stMain"] .js-plotly-plot').filter(
        has=pg.locator(".updatemenu-button")).first
    plot.wait_for(timeout=120_000)
    n = int(plot.evaluate(FRAME_COUNT_JS))
    if n < 3:
        return
    target = max(2, round(n * fraction))
    box = pg.get_by_role("spinbutton", name=re.compile(r"^(Step|步骤)")).first
    box.fill(str(target))
    box.press("Enter")
    deadline = time.monotonic() + 120
    # the rerun redraws the chart in a new element: ask the locator again each time
    while plot.evaluate(ACTIVE_FRAME_JS) != target - 1:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the animation did not move to step {target}")
        pg.wait_for_timeout(300)
    settle(pg)
    box.blur()


def scroll_to(pg, selector: str) -> None:  # noqa: ANN001
    """Bring an element to the top of the app's own scrolling area."""
    pg.locator(selector).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    pg.wait_for_timeout(600)


def scroll_top(pg, down: int = 0) -> None:  # noqa: ANN001
    """Scroll the app's main area to its top, then ``down`` pixels (past the empty header)."""
    pg.evaluate("""dy => { const h1 = document.querySelector('[data-testid="stMain"] h1');
      let el = h1;
      while (el && !(el.scrollHeight > el.clientHeight + 5
                     && /(auto|scroll)/.test(getComputedStyle(el).overflowY))) {
        el = el.parentElement;
      }
      if (el) { el.scrollTop = 0; el.scrollTop = dy; } }""", down)
    pg.wait_for_timeout(400)


def save(pg, out: Path, name: str) -> Path:  # noqa: ANN001
    """Screenshot the viewport; quantise to a palette when the PNG would be too large."""
    no_exception(pg, name)
    pg.mouse.move(5, 995)  # no hover labels or modebar in the picture
    pg.wait_for_timeout(500)
    im = Image.open(io.BytesIO(pg.screenshot())).convert("RGB")
    path = out / f"{name}.png"
    im.save(path, "PNG", optimize=True)
    if path.stat().st_size > MAX_BYTES:
        im.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
            path, "PNG", optimize=True)
    print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}  "
          f"{path.stat().st_size // 1024} KB", flush=True)
    return path


def new_page(browser, url: str):  # noqa: ANN001, ANN201
    ctx = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    pg = ctx.new_page()
    pg.set_default_timeout(90_000)
    pg.goto(f"{url}/")
    settle(pg)
    return ctx, pg


def english(browser, url: str, out: Path) -> None:  # noqa: ANN001
    ctx, pg = new_page(browser, url)
    save(pg, out, "home")
    for path, name in (("convolution", "convolution"), ("padding", "padding"),
                       ("transposed", "transposed"), ("pooling", "pooling")):
        go(pg, path)
        mid_animation(pg)
        scroll_top(pg, 110)
        save(pg, out, name)

    # live training: about half an epoch of the default run (the curves and filters have
    # moved by then), paused for a still picture; a fast machine may finish the run first
    go(pg, "training", figure=False)
    pg.get_by_role("button", name="Start").first.click()
    pg.locator(".st-key-train_filters .js-plotly-plot").first.wait_for(timeout=120_000)
    started = time.monotonic()
    pause = pg.get_by_role("button", name="Pause").first
    while time.monotonic() - started < 150 and pause.count():
        metric = pg.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy").first
        if time.monotonic() - started > 25 and "%" in (metric.inner_text() if metric.count()
                                                       else ""):
            break
        pg.wait_for_timeout(1000)
    if pause.count():
        pause.click()
        pg.get_by_role("button", name="Resume").first.wait_for(timeout=120_000)
    settle(pg)
    scroll_to(pg, ".st-key-train_curves")
    save(pg, out, "training")
    ctx.close()

    # the explorer on its own session: the bundled pretrained network comes first there
    ctx, pg = new_page(browser, url)
    go(pg, "explorer")
    pg.locator(".st-key-explorer_fmaps .js-plotly-plot").first.wait_for(timeout=120_000)
    settle(pg)
    save(pg, out, "explorer")
    ctx.close()


def chinese_classroom(browser, url: str, out: Path) -> None:  # noqa: ANN001
    ctx, pg = new_page(browser, url)
    pg.locator(".st-key-lang").get_by_role("combobox").first.click()
    pg.get_by_role("option", name="简体中文").click()
    settle(pg)
    pg.locator(".st-key-classroom label").first.click()
    pg.wait_for_function(
        "() => getComputedStyle(document.documentElement).fontSize === '22px'")
    settle(pg)
    go(pg, "convolution")
    # a teacher folds the sidebar away: the animation gets the projector's full width
    pg.get_by_role("button", name="Collapse sidebar").first.click()
    pg.locator('[data-testid="stSidebarNav"]').first.wait_for(state="hidden")
    pg.wait_for_timeout(1000)
    mid_animation(pg)
    scroll_to(pg, '[data-testid="stMain"] h3')
    save(pg, out, "convolution_zh_classroom")
    ctx.close()


@contextlib.contextmanager
def app(url: str | None) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    with tempfile.TemporaryDirectory() as tmp, running_app(Path(tmp) / "server.log") as (u, _proc):
        yield u


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--url", help="use an app that is already running at this address")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with app(args.url) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            english(browser, url, args.out)
            chinese_classroom(browser, url, args.out)
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
