"""Press Start right after the training page loads, then Pause, many times: is a press lost?

A fresh page sends a rerun of its own (the width probe's first report) a moment after it
settles, and a running training page sends one twice a second; a click landing at the same
moment used to be dropped (Start did nothing), and a fragment writing outside itself blanked
the page after Pause ("Cannot set a node at a delta path"). This drives headless Chromium
through ``--times`` fresh sessions of one server and counts both.

    python scripts/press_race.py [--times 30]

Needs /usr/bin/chromium and Playwright's Python package.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.app_server import CHROMIUM, CHROMIUM_ARGS, running_app  # noqa: E402
from tests.browser.conftest import wait_for_app  # noqa: E402


def one_session(browser, url: str) -> tuple[bool, bool, list[str]]:  # noqa: ANN001
    """(Start took, Pause took, page errors) for one fresh browser session."""
    ctx = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)[:200]))
    page.goto(f"{url}/training")
    wait_for_app(page, 60_000)  # as the browser tests do, then press at once
    page.get_by_role("button", name="Start").click()
    started = paused = False
    try:
        page.locator('[data-testid="stMetric"]').first.wait_for(timeout=12_000)
        started = True
        page.wait_for_timeout(2000)
        page.get_by_role("button", name="Pause").click()
        page.get_by_role("button", name="Resume").wait_for(timeout=12_000)
        paused = True
    except Exception:  # noqa: BLE001 - a lost press shows as a timeout
        pass
    ctx.close()
    return started, paused, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--times", type=int, default=30)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    lost_start = lost_pause = blank = 0
    with tempfile.TemporaryDirectory() as tmp, \
            running_app(Path(tmp) / "server.log") as (url, _proc), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(args.times):
            started, paused, errors = one_session(browser, url)
            lost_start += not started
            lost_pause += started and not paused
            blank += bool(errors)
            print(f"{i + 1:3d}: start {'ok' if started else 'LOST'}, pause "
                  f"{'ok' if paused else ('LOST' if started else '-')}"
                  + (f", page error: {errors[0]}" if errors else ""), flush=True)
        browser.close()
    print(f"\n{args.times} sessions: Start lost {lost_start}, Pause lost {lost_pause}, "
          f"page errors {blank}")
    return 0 if lost_start == lost_pause == blank == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
