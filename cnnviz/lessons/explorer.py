"""What the network explorer's headings and captions say, from what it actually shows.

The explorer shows the feature maps of every conv stage and the filters of at most two conv
layers of whichever network is chosen: one conv layer (the notes' net), two (LeNet-5), five
(AlexNet), depthwise layers (the separable net), random or trained weights. A sentence written
for one of them ("the first two conv layers", "each row is a filter", "learned") is false
for another, so every sentence is chosen here from the shapes on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cnnviz.content import entry
from cnnviz.i18n import Text


@dataclass(frozen=True)
class ExplorerText:
    """Headings and captions of the explorer's feature-map and filter figures."""

    maps_heading: Text
    maps_caption: Text
    filters_heading: Text
    filters_caption: Text


def _join(parts: Sequence[Text]) -> Text:
    return Text(" ".join(p.en for p in parts), "".join(p.zh for p in parts))


def _layer_sentence(index: int, name: str, shape: tuple[int, ...]) -> Text:
    """How the filter figure of one conv layer is laid out (first, depthwise or multi-channel)."""
    c_in, kh, kw = shape[1], shape[2], shape[3]
    if c_in > 1:
        return entry("explorer", "filters_rows", name=name, c_in=c_in)
    key = "filters_first" if index == 0 else "filters_depthwise"
    return entry("explorer", key, name=name, kh=kh, kw=kw)


def explorer_text(n_stages: int, shown: Sequence[tuple[str, tuple[int, ...]]],
                  total_convs: int, trained: bool, colours: Text) -> ExplorerText:
    """The sentences for ``n_stages`` feature-map rows and the conv weights ``shown`` ((name,
    shape) of the first conv layers, of ``total_convs``); ``colours`` is the signed legend."""
    maps_heading = entry("explorer", "maps_heading_one" if n_stages == 1 else "maps_heading")
    maps_caption = entry("explorer", "maps_caption_one" if n_stages == 1 else "maps_caption")
    which = ("filters_one" if len(shown) == 1 else
             "filters_both" if total_convs == len(shown) else "filters_first_two")
    heading = entry("explorer", which, total=total_convs)
    if not trained:
        heading = _join([heading, entry("explorer", "filters_untrained")])
    legend = entry("explorer", "filters_legend", colours=colours)
    layers = [_layer_sentence(i, name, shape) for i, (name, shape) in enumerate(shown)]
    return ExplorerText(maps_heading, maps_caption, heading, _join([legend, *layers]))
