"""A button press that a replaced run does not lose: ``if ui.button(...)``, not ``st.button``.

Streamlit delivers a click as a one-shot trigger in the rerun it starts. When another rerun
request arrives just after (the width probe's first report on a fresh page, the live
training page's timer twice a second), it can replace that run before the script reaches
the button, and the next run no longer carries the trigger. A button's ``on_click``
callback runs before the script body, so it records the press, and the button reports it
(once) when the script reaches it, in that run or the next. The record is a set in session
state changed in place: a key *assigned* in the callback of a replaced run was measured to
be lost as well.

What remains (``scripts/press_race.py``, 30 fresh sessions pressing Start as soon as the
page settled): 2 presses lost, against 6 before. With ``runner.fastReruns`` on (Streamlit's
default, kept), a request that arrives before the click's run has even begun replaces it
before the callback runs. Turning ``fastReruns`` off removed those but let the browser's
page go blank after Pause now and then (Streamlit's "Bad delta path index"), which is worse.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_PRESSES = "_cnnviz_presses"


def _presses() -> set[str]:
    presses = st.session_state.get(_PRESSES)
    if not isinstance(presses, set):
        presses = set()
        st.session_state[_PRESSES] = presses
    return presses


def button(label: str, *, key: str, **kwargs: Any) -> bool:
    """``st.button`` (same arguments; ``key`` required) that returns True once per press,
    even when the run the press started was replaced by another rerun."""
    presses = _presses()
    st.button(label, key=key, on_click=presses.add, args=(key,), **kwargs)
    if key in presses:
        presses.discard(key)
        return True
    return False
