"""Bars of parameters and multiply-adds for several layer designs (plotly; no Streamlit).

Each bar's length is the design's cost as a percentage of the first (standard) design, on a
linear axis: a log axis made 12 % look like 80 %. Bars are horizontal so every design's
full name reads on the left (plotly makes room for it); the two counts of a design sit
side by side in its colour pair, named in a legend, and each bar carries its count and
percentage at its end, inside the figure's own margin so nothing is clipped. On a narrow
stage (1024 px with the sidebar open) the names wrap to a third of the width and the axis
keeps fewer ticks, so the bars still have room and no two labels meet.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import plotly.graph_objects as go

from cnnviz.viz.style import text_px, text_width, wrap_lines

COLOURS = ("#0072b2", "#e69f00")  # Okabe-Ito blue and orange: parameters, multiply-adds
# a page's title may still say how the old chart was scaled; the bars are linear now
_SCALE_NOTE = re.compile(r"\s*[(（]\s*(log scale|对数刻度)\s*[)）]")


def percent(value: float, ref: float) -> str:
    """``value`` as a share of ``ref``, with the decimals a small share needs (12 %, 0.4 %)."""
    share = 100 * value / (ref or 1)
    decimals = 0 if share >= 10 or share == 0 else 1 if share >= 1 else 2
    return f"{share:.{decimals}f}%"


def cost_bar_figure(
    names: Sequence[str],
    params: Sequence[int],
    multiply_adds: Sequence[int],
    *,
    titles: tuple[str, str] = ("Parameters", "Multiply-adds"),
    classroom: bool = False,
    width_hint: int = 800,
) -> go.Figure:
    """Horizontal bars for each design: its parameters and multiply-adds as a percentage of
    the first design's (the reference, 100 %), each labelled with its count.

    ``titles`` name the two counts (the legend); a "(log scale)" in them is dropped.
    ``width_hint`` (px, the stage's measured width) decides how the names wrap and how
    many ticks the axis can carry.
    """
    font = 22 if classroom else 16
    labels = [_SCALE_NOTE.sub("", t) for t in titles]
    lines = [[line.replace("- ", "-") for line in  # "Depthwise-separable" may break
              wrap_lines(n.replace("-", "- "), max(120.0, 0.3 * width_hint), font)]
             for n in names]
    fig = go.Figure()
    longest = 0
    for values, label, colour in zip((params, multiply_adds), labels, COLOURS):
        ref = values[0] if values else 1
        text = [f"{v:,} · {percent(v, ref)}" for v in values]
        longest = max([longest, *(text_width(t) for t in text)])
        fig.add_trace(go.Bar(
            y=["<br>".join(ls) for ls in lines], x=[100 * v / (ref or 1) for v in values],
            name=label, orientation="h", marker_color=colour, text=text,
            textposition="outside", textfont={"size": font - 2}, cliponaxis=False,
            hoverinfo="skip",
        ))
    right = int(longest * 0.62 * (font - 2)) + 20  # the longest bar's label, past its end
    name_px = max((text_px(line, font) for ls in lines for line in ls), default=0.0)
    plot_px = width_hint - right - name_px - 30
    ticks = [0, 25, 50, 75, 100] if plot_px >= 8 * text_px("100%", font - 4) else [0, 50, 100]
    top = max([100.0, *(100 * v / (vs[0] or 1) for vs in (params, multiply_adds) for v in vs)])
    reference = names[0] if names else ""
    fig.update_xaxes(
        range=[0, top], tickvals=ticks, ticksuffix="%", gridcolor="#e5e5e5",
        tickfont={"size": font - 4}, zeroline=True, zerolinecolor="#888",
        title={"text": f"%  ({reference} = 100%)", "font": {"size": font - 2}},
    )
    fig.update_yaxes(autorange="reversed", automargin=True, tickfont={"size": font},
                     ticksuffix="  ")
    bar_px = 70 if classroom else 56
    fig.update_layout(
        barmode="group", bargap=0.25, bargroupgap=0.08,
        height=len(names) * bar_px + 150, paper_bgcolor="white", plot_bgcolor="white",
        # the labels of the longest bar are drawn in the right margin: room for them
        margin={"l": 10, "r": right, "t": 60, "b": 60},
        legend={"orientation": "h", "x": 0, "y": 1.02, "xanchor": "left", "yanchor": "bottom",
                "font": {"size": font}, "traceorder": "normal"},
        showlegend=True,
    )
    return fig
