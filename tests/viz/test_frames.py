"""Frames attached without plotly's validation give the very same figure, faster."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go

from cnnviz.lessons.conv import conv_spec
from cnnviz.viz.frames import set_frames
from cnnviz.viz.window_animation import window_animation_figure


def test_unvalidated_frames_equal_validated(rng) -> None:
    x = rng.random((8, 8)).astype(np.float32)
    fig = window_animation_figure(conv_spec(x, np.ones((3, 3), np.float32), padding=1))
    spec = fig.to_dict()
    base = {"data": spec["data"], "layout": spec["layout"]}
    validated = go.Figure(base)
    validated.frames = spec["frames"]
    fast = set_frames(go.Figure(base), spec["frames"])
    dump = lambda f: json.dumps(f.to_dict(), sort_keys=True, default=str)  # noqa: E731
    assert dump(fast) == dump(validated)
    assert len(fast.frames) == 64
    assert fast._validate  # validation is back on for later edits
