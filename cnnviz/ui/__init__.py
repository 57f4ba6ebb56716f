"""Streamlit pieces shared by every lesson page (the only layer that imports Streamlit).

A page reads like a lesson::

    from cnnviz import ui
    ui.page_title("Stride", "步幅")
    img = ui.image_picker("stride")            # shared choice across pages
    crop = ui.crop_picker(img.gray, 8, "stride")
    ...engine call...
    ui.plot(window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key="x")
    ui.formula(conv_output_size_latex(...))
    ui.explain("...", "...")
    ui.quiz(question, options, correct, key="stride_q1")
"""

from cnnviz.ui.common import (
    CLASSROOM_KEY,
    LANG_KEY,
    classroom,
    credits,
    explain,
    figure,
    formula,
    inject_css,
    lang,
    lesson_columns,
    memo,
    page_title,
    plot,
    quiz,
    radio,
    selectbox,
    show_plotly,
    sidebar,
    stage_width,
    t,
    tc,
)
from cnnviz.ui.image_picker import (
    Crop,
    PickedImage,
    clean_grid,
    crop_picker,
    decode_bytes,
    image_picker,
    sample_names,
)

__all__ = [
    "CLASSROOM_KEY",
    "LANG_KEY",
    "Crop",
    "PickedImage",
    "classroom",
    "clean_grid",
    "credits",
    "crop_picker",
    "decode_bytes",
    "explain",
    "figure",
    "formula",
    "image_picker",
    "inject_css",
    "lang",
    "lesson_columns",
    "memo",
    "page_title",
    "plot",
    "quiz",
    "radio",
    "sample_names",
    "selectbox",
    "show_plotly",
    "sidebar",
    "stage_width",
    "t",
    "tc",
]
