"""Play / fast / pause buttons, the step slider and the frames of an animation.

The animation runs in the browser (plotly frames), so it stays smooth when projected and
needs no round trip per step. Every animator places its controls the same way: under the
grids and the written-out sum, buttons on the left, the slider beside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from cnnviz.i18n import common
from cnnviz.viz.frames import set_frames
from cnnviz.viz.style import GRID_BACKGROUND


def _now() -> dict[str, object]:
    """Go to a frame at once (no tween between frames)."""
    return {"mode": "immediate", "transition": {"duration": 0}}


def _play(duration: int) -> dict[str, object]:
    """Animate from the current frame on, ``duration`` ms a frame."""
    return {"frame": {"duration": duration, "redraw": True}, "fromcurrent": True, **_now()}


def play_buttons(lang: str, frame_ms: int, font: int, y: float) -> dict[str, object]:
    """The ▶ Play, ▶▶ Fast (4× speed) and ■ Pause buttons."""
    return {
        "type": "buttons", "direction": "right", "x": 0.0, "y": y,
        "xanchor": "left", "yanchor": "top", "pad": {"t": 10, "r": 10},
        "showactive": False, "font": {"size": font},
        "buttons": [
            {"label": common(lang, "play"), "method": "animate", "args": [None, _play(frame_ms)]},
            {"label": common(lang, "fast"), "method": "animate",
             "args": [None, _play(max(frame_ms // 4, 60))]},
            {"label": common(lang, "pause"), "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False}, **_now()}]},
        ],
    }


def step_slider(lang: str, n_steps: int, font: int, y: float,
                x: float = 0.5, length: float = 0.5) -> dict[str, object]:
    """A slider with one stop a step ("Step 1" ... ), jumping straight to that frame."""
    return {
        "active": 0, "x": x, "len": length, "y": y, "yanchor": "top", "pad": {"t": 10},
        "font": {"size": font - 4},
        "currentvalue": {"prefix": f"{common(lang, 'step')} ", "font": {"size": font}},
        "steps": [
            {"label": str(s + 1), "method": "animate",
             "args": [[str(s)], {"frame": {"duration": 0, "redraw": True}, **_now()}]}
            for s in range(n_steps)
        ],
    }


def frame(step: int, data: list[dict[str, Any]], traces: list[int],
          annotations: list[dict[str, object]]) -> dict[str, Any]:
    """One frame as a plain dict: the moving ``traces`` redrawn and the step's annotations."""
    return {"name": str(step), "data": data, "traces": traces,
            "layout": {"annotations": annotations}}


@dataclass(frozen=True)
class Stage:
    """What an animated figure's layout needs: sizes (px) and its controls' settings."""

    grid_px: int  # height the grids get
    equation_px: int  # height of the written-out sum under them
    font: int  # the base font (AnimationStyle.font)
    frame_ms: int  # normal speed
    slider: tuple[float, float] = (0.5, 0.5)  # the slider's x and length (paper fraction)
    height: int | None = None  # the whole figure; default: grids + equation + controls
    top: int = 50  # room above the grids for their titles (``grid.column_titles``)


def animate(fig: go.Figure, frames: list[dict[str, Any]], stage: Stage, lang: str,
            annotations: list[dict[str, object]], shapes: list[dict[str, object]]) -> go.Figure:
    """Lay out grids, equation and controls, and attach the frames (``frames[0]`` shown first).

    ``annotations`` and ``shapes`` are the first step's; the controls sit under the equation.
    The annotations replace the layout's (the subplot titles at plotly's 16 px): merged into
    them, the titles would grow only once a frame played.
    """
    fig_height = stage.height or stage.grid_px + stage.equation_px + 150 + stage.top - 50
    bottom = stage.equation_px + 110
    plot_h = max(fig_height - stage.top - bottom, 1)
    controls_y = -0.04 - (stage.equation_px + 5) / plot_h
    x, length = stage.slider
    fig.layout.annotations = annotations
    fig.update_layout(
        height=fig_height,
        margin={"l": 10, "r": 10, "t": stage.top, "b": bottom},
        shapes=shapes,
        font={"size": stage.font - 4},
        plot_bgcolor=GRID_BACKGROUND,
        paper_bgcolor="white",
        showlegend=False,
        updatemenus=[play_buttons(lang, stage.frame_ms, stage.font - 2, controls_y)],
        sliders=[step_slider(lang, len(frames), stage.font - 2, controls_y, x, length)],
    )
    return set_frames(fig, frames)
