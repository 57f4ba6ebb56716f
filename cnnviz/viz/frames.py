"""Attaching animation frames to a plotly figure without re-validating them."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go


def set_frames(fig: go.Figure, frames: list[dict[str, Any]]) -> go.Figure:
    """``fig.frames = frames`` with plotly's property validation off for the assignment.

    The frames are plain dicts built from engine results by our own code; validating them
    again costs about half of an animation's build time (a redraw after every slider move),
    and the resulting figure is identical (tests/viz/test_frames.py).
    """
    fig._validate = False
    try:
        fig.frames = frames
    finally:
        fig._validate = True
    return fig
