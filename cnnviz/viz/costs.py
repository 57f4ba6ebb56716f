"""Bar chart of parameters and multiply-adds for several layer designs (plotly; no Streamlit).

Two panels side by side, log scale (the designs differ by 10-100×), each bar labelled with
its count and its fraction of the standard convolution, so the saving reads at a glance
from the back of a room.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.subplots import make_subplots

COLOURS = ["#4d4d4d", "#0072b2", "#e69f00", "#009e73", "#cc79a7"]  # Okabe-Ito, colour-blind safe


def cost_bar_figure(
    names: Sequence[str],
    params: Sequence[int],
    multiply_adds: Sequence[int],
    *,
    titles: tuple[str, str] = ("Parameters", "Multiply-adds"),
    classroom: bool = False,
) -> go.Figure:
    """Bars for each design; the first one is the reference (100%)."""
    font = 22 if classroom else 16
    fig = make_subplots(rows=1, cols=2, subplot_titles=list(titles), horizontal_spacing=0.1)
    for col, values in ((1, params), (2, multiply_adds)):
        ref = values[0] or 1
        fig.add_trace(
            go.Bar(
                x=list(names), y=list(values),
                marker_color=[COLOURS[i % len(COLOURS)] for i in range(len(names))],
                text=[f"{v:,}<br>{v / ref:.0%}" for v in values], textposition="outside",
                textfont={"size": font - 2}, cliponaxis=False, hoverinfo="skip",
            ),
            row=1, col=col,
        )
        top = max(values) if values else 1
        fig.update_yaxes(type="log", range=[0, len(str(int(top))) + 0.6], row=1, col=col,
                         tickfont={"size": font - 4})
    for a in fig.layout.annotations:
        a.font = {"size": font + 2}
    fig.update_xaxes(tickfont={"size": font - 2})
    fig.update_layout(
        height=520 if classroom else 430, showlegend=False, paper_bgcolor="white",
        plot_bgcolor="white", margin={"l": 10, "r": 10, "t": 60, "b": 10},
    )
    return fig
