"""Home: what a CNN is, why not a plain fully connected net, and a map of the lessons."""

import streamlit as st
from streamlit.errors import StreamlitAPIException

from cnnviz import formulas, ui
from cnnviz.lessons.registry import HOME, LESSONS, SECTIONS

ui.page_title(__file__)

st.subheader(ui.t("The pipeline", "流程"))
cols = st.columns([3, 1, 4, 1, 3])
cols[0].info(
    ui.t("**Input image**  \n28×28 digit or your photo", "**输入图像**  \n28×28 数字或你的照片")
)
cols[1].markdown("### →")
cols[2].info(
    ui.t(
        "**Convolution + pooling layers**  \nkernels slide over the image and find edges, "
        "then textures, then parts",
        "**卷积层 + 池化层**  \n卷积核在图像上滑动，先找边缘，再找纹理，再找部件",
    )
)
cols[3].markdown("### →")
cols[4].info(
    ui.t(
        "**Fully connected classifier**  \nturns the features into class scores",
        "**全连接分类器**  \n把特征变成各类别的得分",
    )
)

st.subheader(ui.t("Why not a plain fully connected network?", "为什么不用普通的全连接网络？"))
hidden = 1000
rows = []
for side, ch in ((28, 1), (256, 3)):
    n_in = side * side * ch
    fc = formulas.linear_params(n_in, hidden)
    conv = formulas.conv_params(ch, 32, 3)
    rows.append(
        {
            ui.t("Input", "输入"): f"{side}×{side}×{ch}",
            ui.t(f"Fully connected → {hidden} units", f"全连接 → {hidden} 个单元"): f"{fc:,}",
            ui.t("Conv 3×3, 32 filters", "3×3 卷积，32 个滤波器"): f"{conv:,}",
            ui.t("Ratio", "倍数"): f"{fc / conv:,.0f}×",
        }
    )
st.table(rows)
ui.explain(
    "- **Parameters.** One fully connected layer on a 256×256 colour photo already needs "
    "hundreds of millions of weights (numbers above, from `cnnviz.formulas`). A convolution "
    "reuses one small kernel at every position, so its size does not depend on the image.\n"
    "- **Spatial structure.** Flattening an image into a vector throws away which pixels are "
    "neighbours; a kernel looks at a neighbourhood, and the same pattern is found wherever it "
    "appears (translation equivariance).\n"
    "- **Overfitting.** Millions of free weights memorise the training images; shared kernels "
    "are a strong, sensible prior and generalise better with the same data.",
    "- **参数量。** 在一张 256×256 的彩色照片上，仅一层全连接就需要数亿个权重（上表数字来自 "
    "`cnnviz.formulas`）。卷积在每个位置重复使用同一个小卷积核，参数量与图像大小无关。\n"
    "- **空间结构。** 把图像展平成向量会丢掉“哪些像素相邻”这一信息；卷积核关注邻域，"
    "同一个图案无论出现在哪里都能被找到（平移等变性）。\n"
    "- **过拟合。** 数以百万计的自由权重会记住训练图像；共享的卷积核是一种强而合理的先验，"
    "在同样的数据上泛化得更好。",
)

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
