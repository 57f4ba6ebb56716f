"""Lesson 8: depthwise-separable, grouped and factorised convolution, and what they save."""

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import formulas, ui
from cnnviz.i18n import Text
from cnnviz.kernels import presets_for
from cnnviz.lessons.conv import conv_spec
from cnnviz.lessons.multichannel import RGB
from cnnviz.lessons.scale import shared_scale
from cnnviz.lessons.separable import (
    VECTORS,
    cost_table,
    depthwise_pointwise,
    divisors_of_both,
    factorised,
    factorised_middle,
    group_connectivity,
    grouped_params_question,
    pointwise_spec,
    separable_params_question,
)
from cnnviz.viz.costs import cost_bar_figure
from cnnviz.viz.heatmaps import GridPanel, Panel, image_row_figure, number_grid_figure
from cnnviz.viz.window_animation import window_animation_figure

K = "sep"
DW_DEFAULT = ["sobel_x", "sobel_y", "laplacian"]
PW_DEFAULT = [[1.0, 1.0, 1.0], [1.0, -1.0, 0.0], [0.0, 0.5, -0.5]]

SLUG = ui.page_title(__file__).slug

st.header(ui.t("Depthwise, then pointwise", "先深度卷积，再逐点卷积"))
left, right = ui.lesson_columns()
with left:
    img = ui.image_picker(K, force_color=True)
    x = img.channels()  # (3, H, W)
    h, w = img.shape
    k = 3
    with st.expander(ui.t("Depthwise kernels (one per channel)", "深度卷积核（每个通道一个）"),
                     expanded=not ui.classroom()):
        dw_presets = [
            ui.kernel_picker(ui.t(RGB[c]), presets_for(k), key=f"{K}_dw{c}",
                             default=DW_DEFAULT[c])
            for c in range(3)
        ]
    depthwise = np.stack([p.kernel(k) for p in dw_presets]).astype(np.float32)
    with st.expander(ui.t("Pointwise weights (1×1: outputs × channels)",
                          "逐点卷积权重（1×1：输出 × 通道）")):
        edited = st.data_editor(
            pd.DataFrame(PW_DEFAULT, columns=[ui.t(c) for c in RGB]), key=f"{K}_pw",
            hide_index=True, width="stretch",
        )
        pointwise, changed = ui.clean_grid(edited)
        if changed:
            st.warning(ui.t("Non-numbers were set to 0.", "非数字已改为 0。"))
    c_out = pointwise.shape[0]
    stage = ui.radio(
        ui.t("Animate", "动画显示"), ["dw", "pw"],
        format_func=lambda v: ui.t("Depthwise", "深度卷积") if v == "dw"
        else ui.t("Pointwise", "逐点卷积"),
        horizontal=True, key=f"{K}_stage",
    )
    if stage == "dw":
        sel = ui.radio(ui.tc("channel"), [0, 1, 2], format_func=lambda c: ui.t(RGB[c]),
                       horizontal=True, key=f"{K}_ch")
    else:
        sel = ui.radio(ui.tc("output"), list(range(c_out)), format_func=lambda o: f"{o + 1}",
                       horizontal=True, key=f"{K}_out")
    side = min(6, h, w)
    crop = ui.crop_picker(x.transpose(1, 2, 0), side, K)
    xc = crop.array.transpose(2, 0, 1)

res = depthwise_pointwise(x, depthwise, pointwise, padding=1)
crop_res = depthwise_pointwise(xc, depthwise, pointwise)
with right:
    st.subheader(ui.tc("animation"))
    if stage == "dw":
        spec = conv_spec(xc[sel], depthwise[sel])
        title = ui.t(Text("{c} channel", "{c}通道").format(c=RGB[sel]))
        ui.plot(window_animation_figure, spec, lang=ui.lang(), classroom=ui.classroom(),
                                               input_title=title, key=f"{K}_anim")
        st.caption(ui.t("Each channel is filtered on its own: no mixing between channels.",
                        "每个通道单独滤波：通道之间不混合。"))
    else:
        spec = pointwise_spec(crop_res.depthwise, crop_res.output[sel], pointwise[sel])
        ui.plot(
            window_animation_figure,
            spec, lang=ui.lang(), classroom=ui.classroom(),
            input_title=ui.t("Depthwise maps: rows = R, G, B; columns = pixels",
                             "深度卷积结果：行 = R、G、B；列 = 像素"),
            kernel_title=ui.t("1×1 weights", "1×1 权重"),
            output_title=ui.t(f"Output {sel + 1}", f"输出 {sel + 1}"),
            key=f"{K}_anim",
        )
        st.caption(ui.t("At each pixel the three channel values are mixed by one weight each.",
                        "在每个像素上，三个通道的数值各乘一个权重后相加。"))

st.subheader(ui.tc("full_result"))
ui.plot(
    image_row_figure,
    [Panel(f"{ui.tc('input')} {h}×{w}", x.transpose(1, 2, 0), "rgb")]
    + [Panel(ui.t(Text("Depthwise {c}", "深度卷积 {c}").format(c=RGB[c])), res.depthwise[c],
             "signed") for c in range(3)],
    classroom=ui.classroom(),
    key=f"{K}_dw_maps",
)
ui.plot(
    image_row_figure,
    [Panel(ui.t(f"Pointwise output {o + 1}", f"逐点卷积输出 {o + 1}"), res.output[o], "signed")
     for o in range(c_out)],
    classroom=ui.classroom(),
    key=f"{K}_pw_maps",
)
counts = formulas.depthwise_separable_counts(3, c_out, k, res.output.shape[1:])
st.markdown(ui.prose(SLUG, "layer_counts", k=k, c_out=c_out, dw=counts.parts[0].params,
                     pw=counts.parts[1].params, total=counts.params,
                     standard=counts.standard.params))
st.subheader(ui.tc("output_size"))
ui.formula(formulas.conv_output_size_latex(h, k, 1, 1, 1))
st.caption(ui.t("Padding 1 keeps the size; the 1×1 pointwise step never changes it.",
                "填充 1 保持尺寸；1×1 逐点卷积从不改变尺寸。"))

st.header(ui.t("Grouped convolution", "分组卷积"))
g1, g2 = ui.lesson_columns()
with g1:
    c_in_g = ui.select_slider(ui.t("Input channels", "输入通道数"), [4, 6, 8, 12, 16, 24, 32],
                              value=12, key=f"{K}_cin")
    c_out_g = ui.select_slider(ui.t("Output channels", "输出通道数"), [4, 6, 8, 12, 16, 24, 32],
                               value=24, key=f"{K}_cout")
    options = divisors_of_both(c_in_g, c_out_g)
    groups = ui.select_slider(ui.t("Groups", "分组数"), options,
                              value=options[min(2, len(options) - 1)],
                              key=f"{K}_groups_{c_in_g}_{c_out_g}")
    st.caption(ui.t("Only divisors of both channel counts are offered.",
                    "只提供同时整除两个通道数的分组数。"))
with g2:
    conn = group_connectivity(c_in_g, c_out_g, groups)
    ui.plot(
        number_grid_figure,
        [GridPanel(ui.t(f"Which inputs each output reads (groups = {groups})",
                        f"每个输出读取哪些输入（分组数 = {groups}）"), conn, vmin=0, vmax=1)],
        classroom=ui.classroom(), height=460 if ui.classroom() else 400,
        key=f"{K}_groups_fig",
    )
    st.caption(ui.prose(SLUG, "groups_caption", c_out=c_out_g, c_in=c_in_g))

st.header(ui.t("Factorised: 3×1 then 1×3", "分解：先 3×1 再 1×3"))
f1, f2 = ui.lesson_columns()
with f1:
    vkeys = list(VECTORS)
    col_key = ui.selectbox(ui.t("Column (3×1)", "列向量（3×1）"), vkeys, index=0,
                           format_func=lambda v: ui.t(VECTORS[v].name), key=f"{K}_col")
    row_key = ui.selectbox(ui.t("Row (1×3)", "行向量（1×3）"), vkeys, index=1,
                           format_func=lambda v: ui.t(VECTORS[v].name), key=f"{K}_row")
column, row = VECTORS[col_key].values, VECTORS[row_key].values
fac = factorised(img.gray, column, row, padding=1)
with f2:
    ui.plot(
        number_grid_figure,
        [GridPanel("3×1", np.asarray(column)[:, None], signed=True),
         GridPanel("1×3", np.asarray(row)[None, :], signed=True),
         GridPanel(ui.t("= 3×3 (outer product)", "= 3×3（外积）"), fac.kernel, signed=True)],
        classroom=ui.classroom(), height=300 if not ui.classroom() else 380,
        key=f"{K}_fac_kernels",
    )
scale = shared_scale(fac.two_step, fac.one_step, signed=True)
ui.plot(
    image_row_figure,
    [Panel(ui.t("After 3×1", "3×1 之后"), fac.after_column, "signed"),
     Panel(ui.t("3×1 then 1×3", "3×1 再 1×3"), fac.two_step, *scale),
     Panel(ui.t("One 3×3 pass", "一次 3×3"), fac.one_step, *scale)],
    classroom=ui.classroom(),
    key=f"{K}_fac_maps",
)
st.markdown(ui.prose(SLUG, "factorised_diff", diff=fac.largest_difference))

st.header(ui.t("What each design costs", "各种设计的代价"))
c1, c2 = st.columns(2)
with c1:
    cc_in = ui.select_slider(ui.t("Channels in", "输入通道"), [16, 32, 64, 128, 256], 64,
                             key=f"{K}_tin")
with c2:
    cc_out = ui.select_slider(ui.t("Channels out", "输出通道"), [16, 32, 64, 128, 256], 128,
                              key=f"{K}_tout")
hw = (56, 56)
g_tab = groups if cc_in % groups == 0 and cc_out % groups == 0 else 4
c_mid = factorised_middle(cc_in, cc_out)
rows = cost_table(cc_in, cc_out, 3, hw, g_tab)
names = {
    "standard": ui.t("Standard 3×3", "标准 3×3"),
    "separable": ui.t("Depthwise-separable", "深度可分离"),
    "grouped": ui.t(f"Grouped (g = {g_tab})", f"分组（g = {g_tab}）"),
    "factorised": ui.t(f"3×1 + 1×3 ({c_mid} channels between)",
                       f"3×1 + 1×3（中间 {c_mid} 个通道）"),
}
ref = rows[0]
st.dataframe(
    pd.DataFrame({
        ui.t("Design", "设计"): [names[r.key] for r in rows],
        ui.t("Weights", "权重数"): [f"{r.params:,}" for r in rows],
        ui.t("Multiply-adds", "乘加次数"): [f"{r.multiply_adds:,}" for r in rows],
        ui.t("vs standard", "相对标准"): [f"{r.params / ref.params:.1%}" for r in rows],
    }),
    hide_index=True, width="stretch",
)
ui.plot(
    cost_bar_figure, [names[r.key] for r in rows], [r.params for r in rows],
                    [r.multiply_adds for r in rows],
                    titles=(ui.t("Weights (log scale)", "权重数（对数刻度）"),
                            ui.t("Multiply-adds (log scale)", "乘加次数（对数刻度）")),
                    classroom=ui.classroom(),
    key=f"{K}_costs",
)
st.caption(ui.prose(SLUG, "cost_caption", c_in=cc_in, c_out=cc_out, oh=hw[0], ow=hw[1]))
st.markdown(ui.prose(SLUG, "factorised_counts", c_mid=c_mid))
ui.formula(formulas.factorised_params_latex(cc_in, c_mid, cc_out, 3))
ui.explain_entry(SLUG, "explain")

st.subheader(ui.tc("check"))
ui.quiz(separable_params_question(3, c_out, k), key=f"{K}_q1_{c_out}")
ui.quiz(grouped_params_question(c_in_g, c_out_g, 3, groups),
        key=f"{K}_q2_{c_in_g}_{c_out_g}_{groups}")
