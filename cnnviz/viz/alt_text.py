"""Text alternatives for figures, generated from the figure's own numbers (no Streamlit).

A screen reader (or a student who cannot see the projector) gets what the picture shows:
the panels' titles with their sizes, the value range, and for an animation how many steps
it has and what its first step computes. ``ui.show_plotly`` passes the result as the
chart's accessible name (``st.plotly_chart(alt=...)``).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from cnnviz.i18n import Text

_TAGS = re.compile(r"<[^>]+>")


def _plain(text: object) -> str:
    """Annotation text without plotly's HTML (``<br>`` becomes a space)."""
    return " ".join(_TAGS.sub(" ", str(text)).split())


def _array(value: Any) -> np.ndarray | None:
    """A trace's ``z`` as an array (plain lists or plotly's typed ``bdata``)."""
    if value is None:
        return None
    if isinstance(value, dict) and "bdata" in value:
        import base64

        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            a = a.reshape([int(s) for s in str(shape).split(",")])
        return a
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None


def _fmt(v: float) -> str:
    return f"{v:.3g}".replace("-", "−")


def describe_figure(fig: dict[str, Any], lang: str = "en") -> str:
    """One or two sentences describing a figure dict (``fig.to_dict()``)."""
    layout = fig.get("layout", {}) or {}
    annotations = layout.get("annotations", []) or []
    # subplot titles are the annotations anchored above the plot area
    titles = [
        _plain(a.get("text", ""))
        for a in annotations
        if a.get("yanchor") == "bottom" and a.get("text")
    ]
    grids: list[str] = []  # "6×6, 0 to 35" per heatmap, in trace order
    images = 0
    for trace in fig.get("data", []) or []:
        kind = trace.get("type")
        if kind == "heatmap":
            z = _array(trace.get("z"))
            if z is not None and z.ndim == 2:
                finite = z[np.isfinite(z)]
                rng = (
                    Text(f", {_fmt(finite.min())} to {_fmt(finite.max())}",
                         f"，{_fmt(finite.min())} 到 {_fmt(finite.max())}").get(lang)
                    if finite.size else ""
                )
                grids.append(f"{z.shape[0]}×{z.shape[1]}{rng}")
        elif kind == "image":
            images += 1
    sep, stop = Text("; ", "；").get(lang), Text(".", "。").get(lang)
    parts: list[str] = []
    if titles:
        named = [f"{t} ({g})" for t, g in zip(titles, grids)] + titles[len(grids):]
        parts.append(Text("Panels: ", "面板：").get(lang) + sep.join(named) + stop)
    elif grids:
        parts.append(Text("Number grids: ", "数字网格：").get(lang) + sep.join(grids) + stop)
    if images and not grids:
        parts.append(Text(f"{images} picture(s) side by side; colour bars give the values.",
                          f"{images} 幅并排的图像；色条给出数值。").get(lang))
    frames = fig.get("frames") or []
    if frames:
        eq = ""
        first = frames[0].get("layout", {}).get("annotations") or []
        if first:
            eq = _plain(first[-1].get("text", ""))
        parts.append(
            Text(f"Animation of {len(frames)} steps (Play, or the step slider); step 1: {eq}",
                 f"共 {len(frames)} 步的动画（播放，或拖动步骤滑块）；第 1 步：{eq}").get(lang)
        )
    title = layout.get("title", {})
    if isinstance(title, dict) and title.get("text"):
        parts.insert(0, _plain(title["text"]) + ".")
    return " ".join(parts)[:1000] or Text("Figure.", "图。").get(lang)
