"""Streamlit pieces shared by every lesson page (the only layer that imports Streamlit).

A page reads like a lesson::

    from cnnviz import ui
    lesson = ui.page_title(__file__)           # title from the lesson registry
    img = ui.image_picker("stride")            # shared choice across pages
    preset = ui.kernel_picker(ui.tc("kernel"), presets_for(k), key="stride_preset")
    crop = ui.crop_picker(img.gray, 8, "stride")
    ...one call into cnnviz.lessons...
    ui.plot(window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key="x")
    ui.formula(conv_output_size_latex(...))
    ui.explain_entry(lesson.slug, "explain")   # prose from cnnviz/content/stride.toml
    ui.quiz(stride.never_read_question(...), key="stride_q1")
"""

from cnnviz.ui.common import (
    CLASSROOM_KEY,
    LANG_KEY,
    classroom,
    credits,
    explain,
    explain_entry,
    figure,
    formula,
    inject_css,
    kernel_picker,
    lang,
    lesson_columns,
    memo,
    page_title,
    plot,
    prose,
    quiz,
    radio,
    selectbox,
    show_error,
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
    opens_on_page_default,
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
    "explain_entry",
    "figure",
    "formula",
    "image_picker",
    "opens_on_page_default",
    "inject_css",
    "kernel_picker",
    "lang",
    "lesson_columns",
    "memo",
    "page_title",
    "plot",
    "prose",
    "quiz",
    "radio",
    "sample_names",
    "selectbox",
    "show_error",
    "show_plotly",
    "sidebar",
    "stage_width",
    "t",
    "tc",
]
