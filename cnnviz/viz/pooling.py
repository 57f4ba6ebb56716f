"""The pooling animation: the shared window animator plus the maximum's position.

``window_animation_figure`` draws the window and the written-out max/mean; this wrapper adds
one more animated trace - a marker on the cell the engine's ``max_pool2d_with_indices``
picked - and labels max pooling's −∞ padding (NaN in the grid) as "−∞" instead of blank
or "nan". No Streamlit here.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.lessons.window import WindowSpec
from cnnviz.viz.frames import set_frames
from cnnviz.viz.window_animation import window_animation_figure

MAX_MARK = "#e0007a"  # magenta: distinct from the orange window on both colour maps


def _max_marker(cell: np.ndarray, classroom: bool) -> dict[str, object]:
    """A bar above and a bar below the number, near the cell's edges: the cell's number is
    fitted to the cell's width, so a square's sides would cross its first and last digits."""
    r, c = (int(v) for v in cell)
    e = 0.42
    return {
        "type": "scatter", "x": [c - e, c + e, None, c - e, c + e],
        "y": [r - e, r - e, None, r + e, r + e], "mode": "lines", "hoverinfo": "skip",
        "showlegend": False, "xaxis": "x", "yaxis": "y",
        "line": {"color": MAX_MARK, "width": 5 if classroom else 4},
    }


def pool_animation_figure(
    spec: WindowSpec,
    argmax: np.ndarray | None = None,
    *,
    lang: str = "en",
    classroom: bool = False,
    frame_ms: int = 700,
    input_title: str | None = None,
    output_title: str | None = None,
    width_hint: int = 800,
    height: int | None = None,
) -> go.Figure:
    """Animated pooling; ``argmax`` (Ho, Wo, 2) padded-grid cells of each max, or None.

    ``width_hint`` and ``height`` are the animator's (the page's stage width sizes the cell
    numbers; the figure stays within the height budget).
    """
    fig = window_animation_figure(
        spec, lang=lang, classroom=classroom, frame_ms=frame_ms,
        input_title=input_title, output_title=output_title, width_hint=width_hint,
        height=height,
    )
    # edit the figure as a plain dict: re-validating every go.Frame would cost ~0.3 s
    d = fig.to_dict()
    pad_mask = np.isnan(spec.padded)
    if pad_mask.any():
        text = np.array(d["data"][0]["text"], dtype=object)
        text[pad_mask] = "−∞"
        d["data"][0]["text"] = text.tolist()
        for ann in [d["layout"]["annotations"], *(f["layout"]["annotations"] for f in d["frames"])]:
            for a in ann:
                a["text"] = a.get("text", "").replace("nan", "−∞")
    if argmax is not None:
        argmax = np.asarray(argmax).reshape(-1, 2)
        idx = len(d["data"])
        d["data"].append(_max_marker(argmax[0], classroom))
        for f in d["frames"]:
            f["data"].append(_max_marker(argmax[int(f["name"])], classroom))
            f["traces"] = [*f["traces"], idx]  # the frames share one list
    return set_frames(go.Figure({"data": d["data"], "layout": d["layout"]}), d["frames"])
