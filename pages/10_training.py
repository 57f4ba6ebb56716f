"""Live MNIST training: watch a real CNN learn, its filters and feature maps redrawn live.

Training advances in short time-budgeted chunks inside a ``st.fragment(run_every=...)``
that only ticks while running, so the buttons stay responsive and the pictures redraw about
twice a second. All state lives in one ``TrainingSession`` per browser session.
"""

import time

import numpy as np
import streamlit as st

from cnnviz import optim, ui
from cnnviz.concurrency import waiting_message
from cnnviz.data.mnist import MnistError, mnist_arrays
from cnnviz.i18n import Text
from cnnviz.lessons.optimisers import OPTIMISER_NAMES
from cnnviz.models import MODEL_NAMES, model_description
from cnnviz.training import TrainConfig
from cnnviz.ui.digit_input import digit_input
from cnnviz.ui.training_session import EVAL_LIMIT, eval_every_for, get_session, unload_guard
from cnnviz.ui.training_steer import steer_and_compare
from cnnviz.viz.training import (
    confusion_figure,
    curves_figure,
    digit_figure,
    feature_maps_figure,
    filters_figure,
    mistakes_figure,
    per_class_figure,
    probability_figure,
)
from cnnviz.weights import plain_text, pretrained_path

K = "train"
TICK_BUDGET = 0.4  # at most this many seconds of training per redraw (less if drawing is slow)
RUN_EVERY = 0.5  # seconds between redraws while running
LRS = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0]
# Adam at 0.003 (not PyTorch's 0.001) on this page: measured on this 2-core machine, the
# default net passes 97 % within a minute at 0.003 but needs about twice as long at 0.001
PAGE_LR = {**optim.DEFAULT_LR, "adam": 3e-3}
SCHEDULES = {"constant": Text("constant", "恒定"),
             "step": Text("step (×0.1 at 1/3 and 2/3)", "阶梯（在 1/3 与 2/3 处 ×0.1）"),
             "exponential": Text("exponential (to 1 %)", "指数（降到 1%）"),
             "polynomial": Text("polynomial (linear to 0)", "多项式（线性降到 0）"),
             "cosine": Text("cosine (to 0)", "余弦（降到 0）")}

ui.page_title(__file__)
sess = get_session()
sess.check_away()  # back from another page: a run left "running" was stalled, say so
locked = sess.status in ("running", "paused")

# ----------------------------------------------------------------------------- settings
# classroom mode: the settings fold into an expander above, the pictures take the full width
# (a side column stays as an empty strip on a projector while the run trains)
left, right = ((st.container(), st.container()) if ui.classroom()
               else st.columns([1, 2.6], gap="large"))
with left, st.expander(ui.t("Settings", "设置"), expanded=not ui.classroom()):
    # folded in classroom mode, as on every lesson: Start and the pictures on the first screen
    if locked:
        st.caption(ui.t("Reset to change the settings.", "要修改设置，请先重置。"))
    model = ui.selectbox(ui.t("Model", "模型"), MODEL_NAMES, key=f"{K}_model", disabled=locked)
    st.caption(model_description(model, ui.lang()))
    has_pretrained = pretrained_path(model).is_file()
    # labels fixed now, in this run's language (AppTest calls format_func outside the run)
    init_labels = {"scratch": ui.t("random weights", "随机权重"),
                   "pretrained": ui.t("bundled pretrained weights", "内置的预训练权重")}
    init_choice = ui.radio(
        ui.t("Start from", "起点"), list(init_labels), horizontal=True,
        format_func=init_labels.__getitem__, key=f"{K}_init",
        disabled=locked or not has_pretrained)
    if not has_pretrained:
        init_choice = "scratch"
        st.caption(ui.t("No bundled weights for this model: it starts from random weights.",
                        "此模型没有内置权重：从随机权重开始。"))
    opt = ui.selectbox(ui.t("Optimiser", "优化器"), optim.OPTIMIZER_NAMES,
                       index=optim.OPTIMIZER_NAMES.index("adam"),
                       format_func=lambda o: ui.t(OPTIMISER_NAMES[o]), key=f"{K}_opt",
                       disabled=locked)
    # fine-tuning trained weights wants a tenth of the rate: Adam's first steps are full-size
    # in every weight and would knock a trained net back to ~70 % before it recovers
    default_lr = PAGE_LR[opt] / (10 if init_choice == "pretrained" else 1)
    lr = ui.select_slider(ui.t("Learning rate", "学习率"), LRS,
                          value=min(LRS, key=lambda v: abs(np.log(v / default_lr))),
                          format_func=lambda v: f"{v:g}", key=f"{K}_lr_{opt}_{init_choice}",
                          disabled=locked)
    if init_choice == "pretrained":
        st.caption(ui.t("Fine-tuning: a learning rate ten times smaller than from scratch.",
                        "微调：学习率比从头训练小十倍。"))
    hyper: dict = {}
    if opt in ("momentum", "nesterov"):
        hyper["momentum"] = ui.slider(ui.t("Momentum", "动量"), 0.5, 0.99, 0.9, 0.01,
                                      key=f"{K}_momentum_{opt}", disabled=locked)
    elif opt == "rmsprop":
        hyper["alpha"] = ui.slider(ui.t("Decay α of the squared-gradient average",
                                        "平方梯度平均的衰减率 α"), 0.8, 0.999, 0.99, 0.001,
                                   key=f"{K}_alpha", disabled=locked)
    elif opt == "adadelta":
        hyper["rho"] = ui.slider("ρ", 0.5, 0.99, 0.9, 0.01, key=f"{K}_rho", disabled=locked)
    elif opt == "adam":
        b1 = ui.slider("β₁", 0.5, 0.99, 0.9, 0.01, key=f"{K}_beta1", disabled=locked)
        b2 = ui.select_slider("β₂", [0.9, 0.99, 0.999, 0.9999], value=0.999,
                              key=f"{K}_beta2", disabled=locked)
        hyper["betas"] = (b1, b2)
    wd = ui.select_slider(ui.t("Weight decay (L2)", "权重衰减（L2）"), [0.0, 1e-5, 1e-4, 1e-3],
                          value=0.0, format_func=lambda v: f"{v:g}", key=f"{K}_wd",
                          disabled=locked)
    if wd:
        hyper["weight_decay"] = wd
    sched_labels = {k: ui.t(v) for k, v in SCHEDULES.items()}
    schedule = ui.selectbox(ui.t("Learning-rate schedule", "学习率调度"), list(SCHEDULES),
                            format_func=sched_labels.__getitem__, key=f"{K}_schedule",
                            disabled=locked)
    batch = ui.select_slider(ui.t("Batch size", "批大小"), [16, 32, 64, 100, 128, 256],
                             value=100, key=f"{K}_batch", disabled=locked)
    subset = ui.select_slider(ui.t("Training digits used", "使用的训练数字数量"),
                              [500, 1000, 2000, 5000, 10000, 30000, 60000], value=60000,
                              format_func=lambda v: f"{v:,}", key=f"{K}_subset",
                              disabled=locked)
    epochs = ui.slider(ui.t("Epochs", "训练轮数"), 1, 10, 1, key=f"{K}_epochs", disabled=locked)
    seed = int(ui.number_input(ui.t("Seed", "随机种子"), 0, 10_000, 0, key=f"{K}_seed",
                               disabled=locked))
    steps_per_epoch = -(-subset // batch)
    config = TrainConfig(
        model=model, optimizer=opt, lr=float(lr), hyper=hyper, schedule=schedule,
        batch_size=int(batch), epochs=int(epochs), train_limit=None if subset >= 60000
        else int(subset), test_limit=1000, eval_every=eval_every_for(steps_per_epoch),
        seed=seed, init="pretrained" if init_choice == "pretrained" else None)

# ----------------------------------------------------------------------------- controls
with right:
    b1, b2, b3 = st.columns([1, 1, 1.4])
    with b1:
        if sess.status == "running":
            if ui.button(ui.t("Pause", "暂停"), key=f"{K}_pause", icon=":material/pause:",
                         width="stretch"):
                sess.pause()
                st.rerun()
        elif sess.status == "paused":
            if ui.button(ui.t("Resume", "继续"), key=f"{K}_resume", type="primary",
                         icon=":material/play_arrow:", width="stretch"):
                sess.resume()
                st.rerun()
        else:
            label = ui.t("Start", "开始") if sess.status == "idle" else ui.t("Start again",
                                                                         "重新开始")
            if ui.button(label, key=f"{K}_start", type="primary", icon=":material/play_arrow:",
                         width="stretch"):
                sess.start(config)
                st.rerun()
    with b2:
        if ui.button(ui.t("Reset", "重置"), key=f"{K}_reset", icon=":material/restart_alt:",
                     width="stretch", disabled=sess.status == "idle"):
            sess.reset()
            st.rerun()
    status_text = {"idle": Text("not started", "未开始"), "running": Text("training…", "训练中…"),
                   "paused": Text("paused", "已暂停"), "done": Text("finished", "已完成"),
                   "stopped": Text("stopped", "已停止")}[sess.status]
    if sess.away is not None and sess.status == "paused":
        status_text = Text("paused automatically", "已自动暂停")
    b3.markdown(f"**{ui.t('Status', '状态')}:** {ui.t(status_text)}")
    if sess.away is not None and sess.status == "paused":
        st.info(ui.t(sess.away))
    if sess.unsaved:
        st.caption(ui.t(
            "This model lives only in this browser tab: reloading or closing it loses the model "
            "(the browser asks first). To keep it, pause and use “Download the trained "
            "weights” under “Save or load the weights” below.",
            "这个模型只保存在当前浏览器标签页中：刷新或关闭页面会丢失它（浏览器会先询问）。"
            "要保留它，请暂停，然后在下方“保存或加载权重”中点击“下载训练好的权重”。"))

    if sess.error is not None:
        st.error(plain_text(ui.t(sess.error)))
    if sess.status == "idle":
        try:  # load MNIST now, so pressing Start trains at once
            mnist_arrays("train")
            mnist_arrays("test")
        except MnistError as err:
            ui.show_error(err)
        where = (ui.t("Open **Settings** above to choose, or press **Start**", "展开上方的"
                      "**设置**进行选择，或直接按 **开始**") if ui.classroom() else
                 ui.t("Choose the settings on the left and press **Start**",
                      "在左侧选择设置，然后按 **开始**"))
        st.info(where + ui.t(". The defaults (the lecture notes' ConvNet, Adam, learning rate "
                             "0.003, batches of 100) pass 97 % test accuracy in about a minute.",
                             "。默认设置（讲义中的卷积网络、Adam、学习率 0.003、批大小 100）"
                             "大约一分钟就能在测试集上超过 97% 的准确率。"))

    tr = sess.trainer
    if tr is not None and tr.stopped_reason is not None:
        r = tr.stopped_reason
        st.error(ui.t(r.message))
        st.warning(ui.t(r.suggestion))
    steer_and_compare(sess, LRS, K, ui.classroom())  # lr, momentum, weight decay; kept runs

    @st.fragment(run_every=RUN_EVERY if sess.status == "running" else None)
    def live() -> None:
        """One tick: train for TICK_BUDGET seconds, then redraw every live panel."""
        was_running = sess.status == "running"
        sess.tick(sess.budget(RUN_EVERY, TICK_BUDGET))
        if was_running and sess.status != "running":
            st.rerun()  # finished or diverged: a full rerun stops the timer, shows results
        if sess.waiting_position is not None:
            st.info(waiting_message(sess.waiting_position, ui.lang()))
        t_draw = time.perf_counter()
        draw()
        if was_running:
            sess.drawn(time.perf_counter() - t_draw)

    def draw() -> None:
        """The live panels: counters, curves, filters, feature maps of a test digit."""
        tr = sess.trainer
        if tr is None:
            return
        last = tr.history[-1] if tr.history else None
        test = tr.test_history[-1].accuracy if tr.test_history else None
        m = st.columns(3) + st.columns(3)  # two rows: numbers stay whole in a narrow layout
        m[0].metric(ui.t("Step", "步数"), f"{tr.step:,} / {tr.total_steps:,}")
        m[1].metric(ui.t("Epoch", "轮次"), f"{tr.epoch_progress:.2f}")
        # wall clock, drawing included: the speed the learner actually sees
        m[2].metric(ui.t("Images / s", "图像/秒"),
                    f"{tr.images_seen / sess.elapsed:,.0f}" if last and sess.elapsed > 0 else "–",
                    help=ui.t(f"{tr.images_per_second:,.0f} images/s while computing; the rest "
                              "of the time goes to redrawing.",
                              f"纯计算时每秒 {tr.images_per_second:,.0f} 张；其余时间用于重绘。"))
        m[3].metric(ui.t("Test accuracy", "测试准确率"), f"{test:.1%}" if test is not None
                    else "–")
        m[4].metric(ui.t("Time", "用时"), f"{sess.elapsed:.0f} s")
        m[5].metric(ui.t("Redraws / s", "每秒重绘"), f"{sess.redraws_per_second:.1f}"
                    if sess.status == "running" else "–")
        if last is not None:
            st.caption(ui.t(f"Loss {last.loss:.3f} (average {last.loss_avg:.3f}), "
                            f"learning rate {last.lr:g}, {tr.images_seen:,} images seen.",
                            f"损失 {last.loss:.3f}（平均 {last.loss_avg:.3f}），学习率 "
                            f"{last.lr:g}，已看过 {tr.images_seen:,} 张图像。"))
        ui.show_plotly(curves_figure(tr.history, tr.test_history, lang=ui.lang(),
                                     classroom=ui.classroom(), changes=tr.changes,
                                     kept=sess.kept), key=f"{K}_curves")
        st.markdown(f"**{ui.t('First-layer filters', '第一层滤波器')}**")
        t1, t2 = st.columns(2)
        shared = t1.toggle(ui.t("One shared colour scale", "共用一个色标"), key=f"{K}_shared",
                           help=ui.t("Off: each filter scaled on its own (its pattern). "
                                     "On: one scale for all (their strength).",
                                     "关闭：每个滤波器单独缩放（看图案）。"
                                     "打开：所有滤波器共用一个色标（看强弱）。"))
        with t2:
            grey = ui.toggle(ui.t("Greyscale", "灰度显示"), key=f"{K}_grey",
                             help=ui.t("Black = negative, grey = 0, white = positive.",
                                       "黑 = 负，灰 = 0，白 = 正。"))
        x, y = tr.test_arrays()
        i = int(st.session_state.get(f"{K}_fm_index", 0))
        with sess.lock:  # the model is not used while a chunk may still be in backward
            weights = tr.first_layer_weights()
            p = tr.predict_proba(x[i])[0]
            maps = tr.feature_maps(x[i])
        ui.show_plotly(filters_figure(
            weights, tr.initial_first_layer,
            normalise="shared" if shared else "per_filter", lang=ui.lang(),
            classroom=ui.classroom(), step=tr.step, grey=grey), key=f"{K}_filters")
        st.caption(ui.prose("training", "filters_caption"))
        c1, c2 = st.columns([1, 2])
        c1.number_input(ui.t("Feature maps of test digit number", "查看特征图的测试数字编号"),
                        0, len(y) - 1, 0, key=f"{K}_fm_index")
        c2.markdown(ui.t(f"Digit **{y[i]}**: the network says **{int(p.argmax())}** "
                         f"({p.max():.0%}).",
                         f"数字 **{y[i]}**：网络认为是 **{int(p.argmax())}**"
                         f"（{p.max():.0%}）。"))
        f1, f2 = st.columns(2)
        f1.markdown(f"**{ui.t('At the start', '训练开始时')}**")
        with f1:  # the same picture every redraw of this run and digit: built once
            ui.show_plotly(sess.memo("start_maps", (id(tr), i, ui.lang(), ui.classroom()),
                                     lambda: feature_maps_figure(
                                         tr.feature_maps_at_start(x[i]), lang=ui.lang(), cols=6,
                                         classroom=ui.classroom(), max_maps=30, shown_px=360
                                     ).to_dict()), key=f"{K}_fmaps_start")
        f2.markdown(f"**{ui.t('Now', '现在')}**")
        with f2:
            ui.show_plotly(feature_maps_figure(maps, lang=ui.lang(), cols=6,
                                               classroom=ui.classroom(), max_maps=30,
                                               shown_px=360), key=f"{K}_fmaps")
        st.caption(ui.prose("training", "maps_caption"))

    live()

# ----------------------------------------------------------------------------- results
tr = sess.trainer
if tr is not None and sess.status != "running" and tr.step > 0:
    st.divider()
    st.subheader(ui.t("How good is it? (training paused)", "效果如何？（训练已暂停）")
                 if sess.status == "paused" else ui.t("How good is it?", "效果如何？"))
    res = sess.evaluation(EVAL_LIMIT)
    assert res is not None
    st.markdown(ui.t(f"Accuracy on the first {res.n:,} test digits: **{res.accuracy:.2%}** "
                     f"({len(res.mistakes)} mistakes).",
                     f"前 {res.n:,} 个测试数字上的准确率：**{res.accuracy:.2%}**"
                     f"（{len(res.mistakes)} 个错误）。"))
    c1, c2 = st.columns([1, 1.2], gap="large")
    with c1:
        ui.show_plotly(confusion_figure(res.confusion, lang=ui.lang(),
                                        classroom=ui.classroom()), key=f"{K}_confusion")
    with c2:
        ui.show_plotly(per_class_figure(res.per_class_accuracy, lang=ui.lang(),
                                        classroom=ui.classroom()), key=f"{K}_perclass")
    x, _ = tr.test_arrays(EVAL_LIMIT)
    idx = res.mistakes[:24]
    ui.show_plotly(mistakes_figure(x[idx], res.predictions[idx], res.labels[idx],
                                   lang=ui.lang(), classroom=ui.classroom()),
                   key=f"{K}_mistakes")
    ui.explain(
        "Read the confusion matrix row by row: row 4 holds every true 4, and a number off the "
        "diagonal says how often it was taken for another digit. The usual confusions are "
        "4↔9, 3↔5 and 7↔2 — look at the mistakes: many would puzzle a person too.",
        "按行阅读混淆矩阵：第 4 行是所有真实的 4，对角线以外的数字表示它被认成其他数字的次数。"
        "常见的混淆是 4↔9、3↔5 和 7↔2。看看这些错误样例：很多连人也会犹豫。",
    )

# ----------------------------------------------------------------------------- your digit
if tr is not None and sess.status != "running":
    st.divider()
    st.subheader(ui.t("Try your own digit", "试试你自己的数字"))
    c1, c2, c3 = st.columns([1.1, 0.8, 1.3], gap="large")
    with c1:
        digit = digit_input(f"{K}_own", test_images=lambda: tr.test_arrays())
    if digit is None:
        c2.info(ui.t("Draw a digit (or upload a photo of one) to see what the network says.",
                     "写一个数字（或上传一张数字照片），看看网络怎么说。"))
    else:
        with c2:
            st.markdown(f"**{ui.t('What the network sees (28×28)', '网络看到的输入（28×28）')}**")
            ui.show_plotly(digit_figure(digit.image, classroom=ui.classroom(), height=240),
                           key=f"{K}_own_input")
            st.caption(ui.t("Preprocessed as MNIST was: white ink on black, scaled into "
                            "20×20, centred by mass in 28×28.",
                            "按 MNIST 的方式预处理：黑底白字、缩放到 20×20、"
                            "按质心放在 28×28 中央。"))
        with sess.lock:
            own_p = tr.predict_proba(digit.image)[0]
            own_maps = tr.feature_maps(digit.image)
        with c3:
            ui.show_plotly(probability_figure(own_p, lang=ui.lang(),
                                              classroom=ui.classroom()), key=f"{K}_own_probs")
        ui.show_plotly(feature_maps_figure(own_maps, lang=ui.lang(),
                                           classroom=ui.classroom(), max_maps=30),
                       key=f"{K}_own_fmaps")

# ----------------------------------------------------------------------------- weights
if sess.status != "running":
    st.divider()
    st.subheader(ui.t("Save or load the weights", "保存或加载权重"))
    c1, c2 = st.columns(2, gap="large")
    with c1:
        if tr is not None:
            st.download_button(
                ui.t("⬇ Download the trained weights (.npz)", "⬇ 下载训练好的权重（.npz）"),
                sess.weights_bytes(), file_name=f"{tr.config.model}_step{tr.step}.npz",
                mime="application/octet-stream", key=f"{K}_download",
                on_click=sess.mark_downloaded)  # a rerun then drops the reload warning
            st.caption(ui.t(f"{tr.config.model}, {tr.parameter_count():,} parameters, "
                            f"{tr.step} steps. Load it here later or open it in NumPy "
                            "(np.load).",
                            f"{tr.config.model}，{tr.parameter_count():,} 个参数，训练了 "
                            f"{tr.step} 步。之后可在这里加载，也可以用 NumPy（np.load）打开。"))
        else:
            st.caption(ui.t("Train first, then the weights can be downloaded.",
                            "先训练，才能下载权重。"))
    with c2:
        # the label and the check name the same model: the one chosen in the settings
        up = st.file_uploader(ui.t(f"Load weights saved from {config.model} (.npz)",
                                   f"加载 {config.model} 保存的权重（.npz）"), type=["npz"],
                              key=f"{K}_weights_upload")
        if up is not None:
            token = (up.file_id if hasattr(up, "file_id") else up.name, up.size)
            if st.session_state.get(f"{K}_loaded_token") != token:
                st.session_state[f"{K}_loaded_token"] = token
                if sess.load_upload(up.getvalue(), up.name, config):
                    st.rerun()
        # file names and metadata come from strangers: shown as typed, never as Markdown
        if sess.notice is not None and sess.upload_error is None:
            st.success(plain_text(ui.t(sess.notice)))
        if sess.upload_error is not None:
            st.error(plain_text(ui.t(sess.upload_error)))
            if sess.trainer is not None:
                st.info(ui.t("The current model is kept.", "当前模型保持不变。"))

ui.explain(
    "Each step takes a batch of digits, runs them forward, measures the cross-entropy loss "
    "and moves every weight a little against its gradient (the optimiser decides how far). "
    "The first layer's 5×5 filters start as faint random noise; within about 50 steps most "
    "look like small blobs, bars and edge detectors, light on one side and dark on the other. A "
    "learning rate far too large makes the loss explode: training then stops and the last "
    "good weights are kept.",
    "每一步取一批数字做前向计算，计算交叉熵损失，再把每个权重沿梯度的反方向移动一点"
    "（移动多远由优化器决定）。第一层的 5×5 滤波器一开始是微弱的随机噪声；"
    "大约 50 步之内，大多数变成小小的斑点、条纹或边缘检测器，一侧亮、一侧暗。"
    "学习率过大会让损失爆炸：此时训练停止，并保留最后一组正常的权重。",
)

unload_guard(sess.unsaved)  # last: an invisible element at the page's end
