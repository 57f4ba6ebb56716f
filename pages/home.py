"""Home: what a CNN is, why not a plain fully connected net, and a map of the lessons."""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnnviz import ui
from cnnviz.lessons.architectures import first_layer_costs
from cnnviz.lessons.registry import HOME, LESSONS, SECTIONS

SLUG = ui.page_title(__file__).slug

st.subheader(ui.t("The pipeline", "流程"))
cols = st.columns([3, 1, 4, 1, 3])
cols[0].info(ui.prose(SLUG, "pipeline_input"))
cols[1].markdown("### →")
cols[2].info(ui.prose(SLUG, "pipeline_features"))
cols[3].markdown("### →")
cols[4].info(ui.prose(SLUG, "pipeline_classifier"))

st.subheader(ui.t("Why not a plain fully connected network?", "为什么不用普通的全连接网络？"))
hidden = 1000
rows = [
    {
        ui.t("Input", "输入"): f"{r.side}×{r.side}×{r.channels}",
        ui.t(f"Fully connected → {hidden} units", f"全连接 → {hidden} 个单元"): f"{r.fc_params:,}",
        ui.t("Conv 3×3, 32 filters", "3×3 卷积，32 个滤波器"): f"{r.conv_params:,}",
        ui.t("Ratio", "倍数"): f"{r.ratio:,.0f}×",
    }
    for r in first_layer_costs(hidden, filters=32, k=3)
]
st.table(rows)
ui.explain_entry(SLUG, "why_cnn")

st.subheader(ui.t("Map of the lessons", "课程地图"))
lessons = [lesson for lesson in LESSONS if lesson is not HOME]
for section, section_title in SECTIONS.items():
    items = [lesson for lesson in lessons if lesson.section == section]
    if not items:
        continue
    st.markdown(f"**{ui.t(section_title)}**")
    for lesson in items:
        label = lesson.heading(ui.lang())
        blurb = ui.t(lesson.blurb)
        try:
            st.page_link(f"pages/{lesson.page}", label=f"{label} — {blurb}", icon=lesson.icon)
        except (StreamlitAPIException, KeyError):
            # run on its own (not under app.py's navigation): plain text instead of a link
            st.markdown(f"- {label} — {blurb}")
