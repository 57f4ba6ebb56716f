"""Figures and animation frames built from engine results (plotly; no Streamlit).

- ``window_animation``: the one sliding-window animator every operation page reuses
  (``WindowSpec`` -> ``window_animation_figure``), with ``step_terms`` / ``equation_lines``.
- ``heatmaps``: whole-image rows (``Panel`` -> ``image_row_figure``) and small numeric grids
  (``GridPanel`` -> ``number_grid_figure``), ``read_counts`` for stride coverage.
"""
