"""Home page and app shell under AppTest."""

from __future__ import annotations

from cnnviz import formulas
from tests.pages.apptest_helpers import all_text, assert_ok, has_cjk, run_page


def test_home_runs_standalone_en():
    at = run_page("home.py")
    assert_ok(at)
    text = all_text(at)
    assert "fully connected" in text
    fc = formulas.linear_params(256 * 256 * 3, 1000)
    assert f"{fc:,}" in str(at.table[0].value.to_dict())


def test_home_zh():
    at = run_page("home.py", lang="zh")
    assert_ok(at)
    assert has_cjk(at.title[0].value)


def test_app_shell_navigation_and_credit():
    at = run_page("app.py")
    assert_ok(at)
    text = all_text(at) + "".join(str(c.value) for c in at.sidebar.caption)
    assert "Yann LeCun" in text and "CC BY-SA 3.0" in text
    # Under AppTest the switch only takes after one more run of app.py (not pinned down
    # why; setting session_state['lang'] directly is overridden by the sidebar widget).
    at.run()
    at.selectbox(key="lang").set_value("zh").run()  # as a learner switches
    assert_ok(at)
    assert has_cjk(at.title[0].value)
