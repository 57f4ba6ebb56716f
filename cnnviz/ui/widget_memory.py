"""Forget the widget metadata Streamlit keeps for widgets a session no longer shows.

Streamlit 1.67 drops a stale widget's value at the end of a run but keeps its metadata
(``WStates.widget_metadata``: its callbacks, serializer and deserializer, with what they
capture) for the session's whole life, one entry per widget id ever drawn. Widget ids change
with a page, a language, a slider's range, a quiz's settings, so a learner going through the
lessons piles them up: 23 after the first page, 177 after nine (AppTest); 3,794 for 12
learners after 6 minutes of the hold benchmark (benchmarks/LOAD.md). A widget whose value
was dropped needs no metadata: Streamlit registers it again if the widget comes back.
"""

from __future__ import annotations

from streamlit.runtime.state.session_state_proxy import get_session_state


def forget_stale_widget_metadata() -> int:
    """Drop the metadata of widgets that have no value left (how many went); 0 when
    Streamlit's internals are not what this expects (nothing is changed then)."""
    try:
        widgets = get_session_state()._state._new_widget_state  # noqa: SLF001
        metadata, states = widgets.widget_metadata, widgets.states
    except AttributeError:
        return 0
    stale = [wid for wid in metadata if wid not in states]
    for wid in stale:
        metadata.pop(wid, None)
    return len(stale)
