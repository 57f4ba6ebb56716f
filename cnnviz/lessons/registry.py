"""The lesson registry: the one table of every page (no Streamlit).

app.py's navigation, each page's title, the home page's map, the page test suite, the
browser walkthrough and the page-speed benchmark all read ``LESSONS``. A test fails when a
file in ``pages/`` has no row here or a row names a missing file. Adding a lesson is a page
file, a row here, its lesson module and its content file (``cnnviz/content/<slug>.toml``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz.i18n import Text

SECTIONS: dict[str, Text] = {
    "basics": Text("Basics", "基础"),
    "operations": Text("Operations", "运算"),
    "networks": Text("Networks", "网络"),
    "learning": Text("How a CNN learns", "CNN 如何学习"),
}


@dataclass(frozen=True)
class Demo:
    """The one setting a tour changes to show the lesson move (walkthrough, page-speed
    benchmark, page suite): a slider nudged one step, or a radio set to ``value``."""

    kind: str  # "slider" | "radio"
    key: str  # the widget's key
    label: Text  # its label, as the learner reads it
    value: object = None  # radio: the value to choose (AppTest)
    value_label: Text | None = None  # radio: that option's label (browser)


@dataclass(frozen=True)
class Lesson:
    """One page. ``slug`` is its URL path (the same in every language) and content file name."""

    slug: str
    number: int | None  # shown as "1 · Convolution"; None for unnumbered pages
    section: str  # a key of SECTIONS
    title: Text
    icon: str  # a Streamlit material icon
    page: str  # file name under pages/
    blurb: Text = Text("", "")  # one line for the home page's map
    demo: Demo | None = None  # None: nothing to change (home, the network pages)

    def heading(self, lang: str) -> str:
        """The title as navigation and page show it, with its number."""
        title = self.title.get(lang)
        return f"{self.number} · {title}" if self.number is not None else title


LESSONS: tuple[Lesson, ...] = (
    Lesson("home", None, "basics",
           Text("What is a convolutional neural network?", "什么是卷积神经网络？"),
           ":material/home:", "home.py"),
    Lesson("convolution", 1, "basics", Text("Convolution", "卷积"),
           ":material/grid_on:", "1_convolution.py",
           Text("A kernel slides over the image: multiply, add, move.",
                "卷积核在图像上滑动：相乘、相加、移动。"),
           Demo("slider", "conv_k", Text("Kernel size", "卷积核尺寸"))),
    Lesson("multichannel", 2, "basics", Text("Multi-channel convolution", "多通道卷积"),
           ":material/layers:", "2_multichannel.py",
           Text("RGB in, one kernel per channel, partial sums plus bias.",
                "RGB 输入，每个通道一个卷积核，部分和加偏置。"),
           Demo("slider", "mc_nf", Text("Number of filters", "滤波器个数"))),
    Lesson("padding", 3, "basics", Text("Padding", "填充"),
           ":material/border_outer:", "3_padding.py",
           Text("Zero, replicate, reflect, circular: what happens at the border.",
                "零填充、复制、反射、循环：边界处发生了什么。"),
           Demo("slider", "pad_p", Text("Padding p", "填充 p"))),
    Lesson("stride", 4, "basics", Text("Stride", "步幅"),
           ":material/footprint:", "4_stride.py",
           Text("Skipping positions: a smaller output, and what it loses.",
                "跳过位置：更小的输出，以及丢失了什么。"),
           Demo("slider", "stride_s", Text("Stride s", "步幅 s"))),
    Lesson("pooling", 5, "operations", Text("Pooling", "池化"),
           ":material/filter_center_focus:", "5_pooling.py",
           Text("Max and average pooling, and what stays invariant.",
                "最大池化与平均池化，以及保持不变的东西。"),
           Demo("radio", "pool_kind", Text("Pooling", "池化方式"), "avg", Text("Average", "平均"))),
    Lesson("dilation", 6, "operations", Text("Dilation", "膨胀卷积"),
           ":material/open_in_full:", "6_dilation.py",
           Text("Kernels with gaps: a wider view for the same weights.",
                "带间隔的卷积核：同样的权重，更大的视野。"),
           Demo("slider", "dil_d", Text("Dilation d", "膨胀率 d"))),
    Lesson("transposed", 7, "operations", Text("Transposed convolution", "转置卷积"),
           ":material/zoom_out_map:", "7_transposed.py",
           Text("Upsampling by convolution, and its checkerboard.",
                "用卷积上采样，以及棋盘格伪影。"),
           Demo("slider", "tconv_s", Text("Stride s", "步幅 s"))),
    Lesson("separable", 8, "operations",
           Text("Separable, grouped and factorised convolution", "可分离、分组与分解卷积"),
           ":material/call_split:", "8_separable.py",
           Text("The same job with far fewer parameters.", "用少得多的参数完成同样的工作。"),
           Demo("radio", "sep_stage", Text("Animate", "动画显示"), "pw",
                Text("Pointwise", "逐点卷积"))),
    Lesson("backprop", 9, "operations",
           Text("Backpropagation through a convolution", "卷积的反向传播"),
           ":material/undo:", "9_backprop.py",
           Text("Gradients through a convolution, step by step.", "逐步计算卷积的梯度。"),
           Demo("radio", "bp_k", Text("Kernel size", "卷积核尺寸"), 3, Text("3×3", "3×3"))),
    Lesson("im2col", 10, "operations", Text("im2col: convolution as a matrix product",
                                             "im2col：把卷积变成矩阵乘法"),
           ":material/table_rows:", "13_im2col.py",
           Text("Windows become columns, kernels rows: one product does it all.",
                "窗口变成列，卷积核变成行：一次乘法算完。"),
           Demo("slider", "im_n", Text("Number of kernels", "卷积核个数"))),
    Lesson("receptive_field", 11, "operations", Text("Receptive field", "感受野"),
           ":material/center_focus_weak:", "14_receptive_field.py",
           Text("Which pixels one unit sees, through a stack you build.",
                "一个单元能看到哪些像素，穿过你搭的层。"),
           Demo("slider", "rf_n", Text("Layers", "层数"))),
    Lesson("backprop_channels", 12, "operations",
           Text("Backpropagation beyond one channel", "多通道与池化的反向传播"),
           ":material/alt_route:", "15_backprop_channels.py",
           Text("Gradients through max pooling, stride, channels and ReLU.",
                "梯度穿过最大池化、步幅、多通道和 ReLU。"),
           Demo("radio", "bc_pool", Text("Max pooling", "最大池化"), "3s1",
                Text("3×3, stride 1 (windows overlap)", "3×3，步幅 1（窗口重叠）"))),
    Lesson("training", None, "networks", Text("Live MNIST training", "MNIST 实时训练"),
           ":material/model_training:", "10_training.py",
           Text("Train a real CNN and watch its filters learn.",
                "训练一个真实的 CNN，观察滤波器学习。")),
    Lesson("explorer", None, "networks", Text("Network explorer", "网络探索"),
           ":material/account_tree:", "11_explorer.py",
           Text("Feature maps layer by layer; CNN vs fully connected.",
                "逐层查看特征图；CNN 与全连接网络对比。")),
    Lesson("network", None, "networks", Text("The whole network at a glance", "一眼看遍整个网络"),
           ":material/hub:", "12_network.py",
           Text("Every layer for one digit; any unit's sum with its numbers.",
                "一个数字穿过每一层；任一单元的求和及其数字。")),
    Lesson("optimisers", 13, "learning", Text("Optimisers", "优化器"),
           ":material/speed:", "16_optimisers.py",
           Text("SGD, momentum, AdaGrad, RMSProp, AdaDelta and Adam racing downhill.",
                "SGD、动量、AdaGrad、RMSProp、AdaDelta 与 Adam 下山赛跑。"),
           Demo("radio", "opt_surface", Text("Loss surface", "损失曲面"), "rosenbrock",
                Text("Rosenbrock's valley", "Rosenbrock 山谷"))),
    Lesson("schedules", 14, "learning", Text("Learning rate and schedules", "学习率与调度"),
           ":material/tune:", "17_schedules.py",
           Text("Too small, about right, too large; and how the rate changes over training.",
                "太小、合适、太大；以及学习率在训练中如何变化。"),
           Demo("radio", "sch_kind", Text("Schedule", "学习率调度"), "cosine",
                Text("Cosine", "余弦"))),
    Lesson("batches", 15, "learning", Text("Batch, iteration, epoch", "批、迭代与轮次"),
           ":material/stacks:", "18_batches.py",
           Text("How a dataset is cut into batches, and what the batch size changes.",
                "数据集如何被切成批次，以及批大小改变了什么。"),
           Demo("slider", "bat_b", Text("Batch size B", "批大小 B"))),
    Lesson("batchnorm", 16, "learning", Text("Batch normalisation", "批归一化"),
           ":material/equalizer:", "19_batchnorm.py",
           Text("A deep net with and without batch norm; training versus evaluation.",
                "有无批归一化的深层网络；训练时与评估时的区别。"),
           Demo("slider", "bn_layer", Text("Hidden layer", "隐藏层"))),
    Lesson("dropout_lrn", 17, "learning",
           Text("Dropout and local response normalisation", "Dropout 与局部响应归一化"),
           ":material/grain:", "20_dropout_lrn.py",
           Text("AlexNet's two tricks with their numbers, and their effect on a curve.",
                "AlexNet 的两个技巧及其数字，以及它们对训练曲线的影响。"),
           Demo("slider", "do_ch", Text("LRN: channel", "LRN：通道"))),
    Lesson("residual", 18, "learning", Text("Residual versus plain", "残差网络与普通网络"),
           ":material/alt_route:", "21_residual.py",
           Text("The same deep CNN with and without skip connections, trained side by side.",
                "同一个深层 CNN 带与不带跳跃连接，并排训练。"),
           Demo("slider", "res_block", Text("Block", "残差块"))),
)

HOME = LESSONS[0]


def by_slug(slug: str) -> Lesson:
    """The lesson whose URL path is ``slug``."""
    for lesson in LESSONS:
        if lesson.slug == slug:
            return lesson
    raise KeyError(f"no lesson {slug!r} in the registry")


def by_page(page: str) -> Lesson:
    """The lesson of a page file (a name like "1_convolution.py", or its full path)."""
    name = page.replace("\\", "/").rsplit("/", 1)[-1]
    for lesson in LESSONS:
        if lesson.page == name:
            return lesson
    raise KeyError(f"pages/{name} is not in the lesson registry (cnnviz/lessons/registry.py)")


def operation_lessons() -> list[Lesson]:
    """The numbered lessons that animate an operation on the learner's image."""
    return [lesson for lesson in LESSONS if lesson.number is not None]
