"""Figures and animation frames built from engine results (plotly; no Streamlit).

- ``window_animation``: the one sliding-window animator every operation page reuses
  (``WindowSpec`` -> ``window_animation_figure``; ``pooling`` adds the max's marker).
  It and ``transposed`` (the scatter view) are composed from the same pieces:
  ``style`` (colour scales, highlight colours, fonts, number format: what every figure
  imports), ``grid`` (numbered heatmaps, cell outlines, the not-yet cover, padding ring),
  ``equation`` (the written-out sum of a step) and ``controls`` (play/pause/fast, step
  slider, frames and the layout under the grids).
- ``heatmaps``: whole-image rows (``Panel`` -> ``image_row_figure``) and small numeric grids
  (``GridPanel`` -> ``number_grid_figure``), ``read_counts`` for stride coverage.
"""
