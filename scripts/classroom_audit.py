"""Open every registered page as a teacher would project it and list what breaks the rules.

    python scripts/classroom_audit.py [--width 1280 --height 720] [--lang zh] [--pages slug ...]

Classroom mode on, sidebar open, the browser's language set to ``--lang``; for each page the
measurements of ``tests/browser/layout_probe.py`` (once the page has its measured width) and
screenshots in ``--out``: the first screen, then the rest of the page screen by screen.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cnnviz.lessons.registry import LESSONS  # noqa: E402
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, IDLE_JS, running_app  # noqa: E402
from tests.browser.layout_probe import layout_report, problems  # noqa: E402
from tests.browser.stage_wait import wait_for_width  # noqa: E402


def settle(pg) -> None:  # noqa: ANN001
    pg.wait_for_selector('[data-testid="stMain"]', timeout=60_000)
    for _ in range(2):
        pg.wait_for_function(IDLE_JS, timeout=60_000)
        pg.wait_for_timeout(400)


# the element that scrolls the page (Streamlit scrolls inside the app, so a "full page"
# screenshot shows only the first screen)
SCROLLER = """() => { let e = document.querySelector('[data-testid="stMain"]');
  for (; e; e = e.parentElement)
    if (e.scrollHeight > e.clientHeight + 5 && getComputedStyle(e).overflowY !== 'visible')
      return e;
  return document.scrollingElement; }"""


def screens(pg, shot: Path, height: int) -> None:  # noqa: ANN001
    """The rest of the page, one screen at a time: ``<shot>_2.png``, ``_3`` ... (overlapping
    by 100 px), then back to the top."""
    total = pg.evaluate(f"() => ({SCROLLER})().scrollHeight")
    for n, y in enumerate(range(height - 100, total, height - 100), start=2):
        pg.evaluate(f"y => ({SCROLLER})().scrollTo(0, y)", y)
        pg.wait_for_timeout(300)
        pg.screenshot(path=str(shot.with_name(f"{shot.stem}_{n}.png")))
    pg.evaluate(f"() => ({SCROLLER})().scrollTo(0, 0)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--lang", default="zh", choices=["en", "zh"])
    ap.add_argument("--no-classroom", action="store_true")
    ap.add_argument("--pages", nargs="*", default=None)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "cnnviz_audit")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    lessons = [lesson for lesson in LESSONS if not args.pages or lesson.slug in args.pages]
    failures = 0
    with running_app(args.out / "server.log") as (url, _proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": args.width, "height": args.height},
                                  locale="zh-CN" if args.lang == "zh" else "en-US")
        pg = ctx.new_page()
        pg.goto(url)
        settle(pg)
        if not args.no_classroom:
            pg.locator(".st-key-classroom label").first.click()
            settle(pg)
        for lesson in lessons:
            if lesson.slug != "home":
                pg.locator(f'[data-testid="stSidebarNav"] a[href$="/{lesson.slug}"]').first.click()
                pg.wait_for_url(f"**/{lesson.slug}")
            settle(pg)
            wait_for_width(pg)  # figures are sized to the measured width after this rerun
            found = problems(layout_report(pg))
            shot = args.out / f"{lesson.slug}_{args.width}x{args.height}_{args.lang}.png"
            pg.screenshot(path=str(shot))
            screens(pg, shot, args.height)
            failures += bool(found)
            print(f"{lesson.slug:14s} {'OK' if not found else ''}")
            for f in found:
                print(f"    {f}")
        browser.close()
    print(f"{failures} of {len(lessons)} pages break a rule; screenshots in {args.out}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
