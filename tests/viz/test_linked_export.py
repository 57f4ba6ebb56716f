"""Linked animations (lessons 10-12) saved for slides: a GIF of every step, a PNG of one."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from cnnviz.lessons import backprop_channels as bc
from cnnviz.viz.backprop_channels import pool_backward_linked
from cnnviz.viz.linked_export import linked_frame_image, linked_gif, linked_png


def test_gif_has_a_frame_per_step_and_png_draws_the_step() -> None:
    r = bc.pool_backward(bc.POOL_X, 2, 2)
    grids, steps = pool_backward_linked(r, ("X", "dL/dY", "dL/dX"), "zh")
    gif = Image.open(io.BytesIO(linked_gif(grids, steps)))
    assert gif.format == "GIF" and gif.n_frames == len(steps) == 9
    png = Image.open(io.BytesIO(linked_png(grids, steps, 3)))
    assert png.format == "PNG" and png.width > 600
    first = np.asarray(linked_frame_image(grids, steps, 0).convert("L"), dtype=np.float32)
    last = np.asarray(linked_frame_image(grids, steps, 8).convert("L"), dtype=np.float32)
    assert first.std() > 20 and (first.shape != last.shape or np.abs(first - last).max() > 0)
