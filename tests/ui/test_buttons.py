"""``ui.button``: a press recorded by its callback is reported once, even in a later run.

The browser race itself (a rerun request replacing the run a click started) cannot be made
in AppTest; scripts/press_race.py makes it in Chromium. Here: the contract that makes the
press survive it — the record outlives the run, and is reported exactly once.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

SCRIPT = """
import streamlit as st
from cnnviz import ui

st.session_state.setdefault("count", 0)
if ui.button("Go", key="go"):
    st.session_state.count += 1
st.write(f"count {st.session_state.count}")
"""


def _count(at: AppTest) -> str:
    return at.markdown[-1].value


def test_a_press_counts_once() -> None:
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    assert _count(at) == "count 0"
    at.button(key="go").click().run()
    assert _count(at) == "count 1"
    at.run()
    assert _count(at) == "count 1", "a later run without a press does not press again"


def test_a_press_whose_run_was_replaced_is_reported_in_the_next_run() -> None:
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    # what the callback records when the run the click started never reached the button
    at.session_state["_cnnviz_presses"].add("go")
    at.run()  # a run without the click's trigger (the probe's report, say)
    assert _count(at) == "count 1"
    at.run()
    assert _count(at) == "count 1"
