"""Redraws per second of the live training page with everything on screen (issue 10).

Starts the app, opens the training page in headless Chromium (1600×1000, or ``--classroom``
zh at 1280×720), trains for a few seconds, keeps that run (so its dashed curves are drawn),
resumes, changes the learning rate (a change mark and the learning-rate plot), and
then for ``--seconds`` seconds counts how often the browser receives a new filters picture
(now / at the start / what changed) and reads the page's own "Redraws / s" metric.

    python benchmarks/live_redraws.py                # one JSON line
    python benchmarks/live_redraws.py --classroom --seconds 30
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.app_server import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402

# the filters figure's first picture ("now"): a new PNG on every redraw of the live panels
SRC_JS = """() => { const i = document.querySelector('.js-plotly-plot image');
    return i ? (i.getAttribute('href') || '').slice(-60) : ''; }"""


def _metric(pg, label: str) -> str:  # noqa: ANN001
    m = pg.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return m.inner_text() if m.count() else ""


def _keep_and_steer(pg, name, classroom: bool) -> None:  # noqa: ANN001
    """Pause, keep the run, resume, and move the learning rate one notch up while it runs."""
    from tests.browser.conftest import wait_for_app

    pg.get_by_role("button", name=name("Pause", "暂停")).click()
    wait_for_app(pg)
    if classroom:
        pg.get_by_text("调整训练 · 比较多次训练").first.click()
    keep = name("Keep this run to compare", "保留这次训练用于比较")
    pg.get_by_role("button", name=keep).click()
    wait_for_app(pg)
    pg.get_by_role("button", name=name("Resume", "继续")).click()
    time.sleep(4)
    slider = pg.locator('[data-testid="stSlider"]').filter(
        has_text=name("Learning rate", "学习率")).last.get_by_role("slider")
    slider.focus()
    slider.press("ArrowRight")  # 0.003 -> 0.01: a steering change while running
    time.sleep(3)


def measure(seconds: float, classroom: bool, plain: bool = False) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import wait_for_app

    zh = classroom
    w, h = (1280, 720) if classroom else (1600, 1000)
    with running_app(Path("/tmp/cnnviz_live_redraws.log")) as (url, _proc), \
            sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = b.new_context(viewport={"width": w, "height": h},
                           locale="zh-CN" if zh else "en-US").new_page()
        pg.set_default_timeout(90_000)
        pg.goto(f"{url}/training")
        wait_for_app(pg)
        if classroom:
            pg.locator(".st-key-classroom label").first.click()
            wait_for_app(pg)
        name = (lambda en, cn: cn if zh else en)  # noqa: E731
        pg.get_by_role("button", name=name("Start", "开始"), exact=True).click()
        time.sleep(6)
        if not plain:
            _keep_and_steer(pg, name, classroom)
        seen: list[str] = []
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            src = pg.evaluate(SRC_JS)
            if src and (not seen or src != seen[-1]):
                seen.append(src)
            time.sleep(0.05)
        elapsed = time.monotonic() - start
        metric = _metric(pg, name("Redraws / s", "每秒重绘"))
        step = re.search(r"([\d,]+)\s*/", _metric(pg, name("Step", "步数")))
        b.close()
    return {"viewport": f"{w}x{h}", "classroom": classroom, "plain": plain,
            "browser_redraws_per_second": round((len(seen) - 1) / elapsed, 2),
            "page_metric": metric.split("\n")[-1], "step": step.group(1) if step else None,
            "seconds": round(elapsed, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--classroom", action="store_true")
    ap.add_argument("--plain", action="store_true", help="no kept run, no steering change")
    args = ap.parse_args(argv)
    print(json.dumps(measure(args.seconds, args.classroom, args.plain)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
