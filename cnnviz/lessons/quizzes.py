"""Check-your-understanding questions generated from the current settings.

Each returns a ``Question`` (its text, options, index of the right one, explanation, each a
``Text`` or a language-free string such as a number);
the right answer comes from ``cnnviz.formulas``, the distractors are the usual mistakes
(forgetting the +1, the padding, or the stride's floor).
"""

from __future__ import annotations

from dataclasses import dataclass

from cnnviz import formulas
from cnnviz.i18n import Text

Option = str | Text  # a number reads the same in both languages


@dataclass(frozen=True)
class Question:
    """A multiple-choice check in both languages; ``correct`` indexes ``options``.

    Built from the current settings (no Streamlit), so a page only shows it (``ui.quiz``).
    """

    question: Text
    options: list[Option]
    correct: int
    explanation: Text = Text("", "")

    def option(self, index: int, lang: str) -> str:
        """Option ``index`` as the learner reads it."""
        o = self.options[index]
        return o.get(lang) if isinstance(o, Text) else o


def same(text: str) -> Text:
    """A text that reads the same in both languages (a formula, a number)."""
    return Text(text, text)


def choice_options(right: int, wrong: list[int]) -> tuple[list[str], int]:
    """Four sorted answer strings containing ``right`` and the index of it.

    Public so every lesson module builds its numeric questions the same way.
    """
    values = sorted({right, *[w for w in wrong if w > 0 and w != right]})
    while len(values) < 4:
        values.append(values[-1] + 1)
        values = sorted(set(values))
    values = values[:4] if right in values[:4] else sorted([*values[:3], right])
    return [str(v) for v in values], values.index(right)


def output_size_question(
    i: int, k: int, stride: int = 1, padding: int = 0, dilation: int = 1
) -> Question:
    """ "Input i, kernel k, stride s, padding p (dilation d): output size?" for these numbers."""
    right = int(formulas.conv_output_size(i, k, stride, padding, dilation))
    span = int(formulas.effective_kernel_size(k, dilation))
    wrong = [
        i - span,  # forgot the +1
        i + 2 * padding - span + 2,
        (i - span) // stride + 1 if padding else right + 1,  # forgot the padding
        i + 2 * padding - span + 1 if stride > 1 else right - 1,  # forgot the stride
        i,
    ]
    options, correct = choice_options(right, wrong)
    dil_en = f", dilation {dilation}" if dilation != 1 else ""
    dil_zh = f"，膨胀率 {dilation}" if dilation != 1 else ""
    q = Text(
        f"An input {i} pixels wide, kernel {k}, stride {stride}, padding {padding}{dil_en}: "
        "how wide is the output?",
        f"输入宽 {i} 像素，卷积核 {k}，步幅 {stride}，填充 {padding}{dil_zh}：输出有多宽？",
    )
    formula = formulas.formula_text("conv", i=i, k=k, s=stride, p=padding, d=dilation)
    return Question(q, options, correct, same(f"${formula}$"))
