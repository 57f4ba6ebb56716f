"""Streamlit pieces shared by every lesson page (the only layer that imports Streamlit).

A page reads like a lesson::

    from cnnviz import ui
    lesson = ui.page_title(__file__)           # title, link to this view, presenter view
    left, right = ui.lesson_columns()          # settings beside / above the stage
    img = ui.image_picker("stride")            # shared choice across pages
    k = ui.slider(ui.tc("kernel_size"), 1, 5, 3, key="stride_k")   # in the page's link
    preset = ui.kernel_picker(ui.tc("kernel"), presets_for(k), key="stride_preset")
    crop = ui.crop_picker(img.gray, 8, "stride")
    ...one call into cnnviz.lessons...
    ui.plot(window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(), key="x")
    ui.formula(conv_output_size_latex(...))    # wraps rather than clipping its answer
    ui.explain_entry(lesson.slug, "explain")   # prose from cnnviz/content/stride.toml
    ui.quiz(stride.never_read_question(...), key="stride_q1")

Settings widgets go through ``ui.slider`` / ``ui.radio`` / ``ui.selectbox`` /
``ui.select_slider`` / ``ui.toggle`` / ``ui.number_input`` / ``ui.kernel_picker``
(``cnnviz.ui.widgets``) so that "Link to this view" carries them. A button that changes
something is ``ui.button`` (``cnnviz.ui.buttons``): its press is never lost.
"""

from cnnviz.ui.buttons import button
from cnnviz.ui.common import (
    CLASSROOM_KEY,
    LANG_KEY,
    classroom,
    credits,
    explain,
    explain_entry,
    inject_css,
    lang,
    memo,
    prose,
    quiz,
    show_error,
    show_plotly,
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
from cnnviz.ui.page import (
    figure,
    formula,
    lesson_columns,
    page_title,
    plot,
    sidebar,
    stage_width,
)
from cnnviz.ui.stage import height_budget, main_width, presenter
from cnnviz.ui.widgets import (
    kernel_picker,
    number_input,
    radio,
    select_slider,
    selectbox,
    slider,
    toggle,
)

__all__ = [
    "CLASSROOM_KEY",
    "LANG_KEY",
    "Crop",
    "PickedImage",
    "button",
    "classroom",
    "clean_grid",
    "credits",
    "crop_picker",
    "decode_bytes",
    "explain",
    "explain_entry",
    "figure",
    "formula",
    "height_budget",
    "image_picker",
    "opens_on_page_default",
    "inject_css",
    "kernel_picker",
    "lang",
    "lesson_columns",
    "main_width",
    "memo",
    "number_input",
    "page_title",
    "plot",
    "presenter",
    "prose",
    "quiz",
    "radio",
    "sample_names",
    "select_slider",
    "selectbox",
    "show_error",
    "show_plotly",
    "sidebar",
    "slider",
    "stage_width",
    "t",
    "tc",
    "toggle",
]
