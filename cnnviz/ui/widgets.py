"""The settings widgets lesson pages make (``ui.slider``, ``ui.radio`` ...): Streamlit's, plus
"Link to this view" (``cnnviz.ui.links``).

Each takes the opened link's value for its key when that value is one the widget can
take (else the default, with a notice), and puts its current value into the page's link.
Same arguments as the ``st.`` widget of the same name; ``key`` is required (it names the
setting in the link). When a link's value is used, the default argument is left out, so
Streamlit does not warn about a value set twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import streamlit as st

from cnnviz.kernels import KernelPreset, preset
from cnnviz.ui import common, links
from cnnviz.ui.common import t


def _is_int(*values: Any) -> bool:
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values if v is not None)


def slider(label: str, min_value: Any, max_value: Any, value: Any = None, step: Any = None,
           *, key: str, **kwargs: Any) -> Any:
    """``st.slider`` of one number, linked."""
    integer = _is_int(min_value, max_value, value, step)
    grid = step if step is not None else (1 if integer else None)
    used, _ = links.take(key, label, links.parse_number(min_value, max_value, grid, integer))
    out = st.slider(label, min_value, max_value, None if used else value, step, key=key,
                    **kwargs)
    links.register(key, out)
    return out


def select_slider(label: str, options: Sequence[Any], value: Any = None, *, key: str,
                  **kwargs: Any) -> Any:
    """``st.select_slider``, linked."""
    used, _ = links.take(key, label, links.parse_option(options))
    out = st.select_slider(label, options, value=None if used else value, key=key, **kwargs)
    links.register(key, out)
    return out


def toggle(label: str, value: bool = False, *, key: str, **kwargs: Any) -> bool:
    """``st.toggle``, linked."""
    used, _ = links.take(key, label, links.parse_bool)
    out = st.toggle(label, value=False if used else value, key=key, **kwargs)
    links.register(key, out)
    return out


def number_input(label: str, min_value: Any, max_value: Any, value: Any, step: Any = None,
                 *, key: str, **kwargs: Any) -> Any:
    """``st.number_input`` with a range, linked."""
    integer = _is_int(min_value, max_value, value, step)
    used, _ = links.take(key, label, links.parse_number(min_value, max_value, None, integer))
    out = st.number_input(label, min_value, max_value, "min" if used else value, step, key=key,
                          **kwargs)
    links.register(key, out)
    return out


def radio(label: str, options: Sequence[Any], index: int | None = 0, *, key: str,
          **kwargs: Any) -> Any:
    """``common.radio`` (its label follows a language switch), linked."""
    used, _ = links.take(key, label, links.parse_option(options))
    out = common.radio(label, options, None if used else index, key=key, **kwargs)
    links.register(key, out)
    return out


def selectbox(label: str, options: Sequence[Any], index: int | None = 0, *, key: str,
              **kwargs: Any) -> Any:
    """``common.selectbox`` (its label follows a language switch), linked."""
    used, _ = links.take(key, label, links.parse_option(options))
    out = common.selectbox(label, options, None if used else index, key=key, **kwargs)
    links.register(key, out)
    return out


def kernel_picker(
    label: str, keys: Iterable[str], *, key: str, default: str | None = None
) -> KernelPreset:
    """A select box of kernel presets (``cnnviz.kernels``) by their names; returns the preset.

    ``keys`` are the presets offered (``presets_for(k, ...)`` keeps them valid at the
    current size); ``default`` is the one chosen first (else the first of ``keys``).
    """
    keys = list(keys)
    index = keys.index(default) if default is not None else 0
    chosen = selectbox(
        label, keys, index=index, format_func=lambda k: t(preset(k).name), key=key
    )
    return preset(chosen)
