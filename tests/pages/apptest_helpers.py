"""Helpers for testing lesson pages with Streamlit's AppTest (reuse them for new pages).

    from tests.pages.apptest_helpers import run_page, png_bytes, all_text
    at = run_page("3_padding.py", lang="zh", state={"img_source": "grid"})
    assert not at.exception

Pages under ``st.navigation`` run fine from their own file; the language / classroom /
image-picker state they need is set in ``session_state`` before the first run (see
``cnnviz.ui.image_picker`` for the shared keys). AppTest supports ``st.file_uploader``
(``upload`` below), so uploads are tested for real.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "pages"
TIMEOUT = 30


def run_page(
    page: str, *, lang: str = "en", classroom: bool = False, state: dict[str, Any] | None = None
) -> AppTest:
    """Run ``pages/<page>`` (or ``app.py``) once with the given language, mode and state."""
    path = ROOT / page if page == "app.py" else PAGES / page
    at = AppTest.from_file(str(path), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.session_state["classroom"] = classroom
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    return at


def assert_ok(at: AppTest) -> None:
    """No exception and no error box."""
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 32), seed: int = 0) -> bytes:
    """A small synthetic picture (a gradient with a bright square) encoded as ``fmt``."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    rgb = np.stack(
        [xx * 255 // max(w - 1, 1), yy * 255 // max(h - 1, 1), np.full_like(xx, 90)], -1
    ).astype(np.uint8)
    rgb[h // 4 : h // 2, w // 4 : w // 2] = 250
    rgb = np.clip(rgb.astype(int) + rng.integers(-5, 6, rgb.shape), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format=fmt)
    return buf.getvalue()


def png_bytes(**kw: Any) -> bytes:
    """PNG bytes of ``image_bytes``."""
    return image_bytes("PNG", **kw)


def jpeg_bytes(**kw: Any) -> bytes:
    """JPEG bytes of ``image_bytes``."""
    return image_bytes("JPEG", **kw)


def widget_key(at: AppTest, kind: str, suffix: str) -> str:
    """The key of the first ``kind`` widget (e.g. "radio") whose key ends with ``suffix``."""
    for w in getattr(at, kind):
        if w.key and w.key.endswith(suffix):
            return w.key
    raise KeyError(f"no {kind} with key ending {suffix!r}")


def upload(at: AppTest, data: bytes, name: str, mime: str) -> AppTest:
    """Choose "upload" in the picker, upload ``data`` and rerun."""
    at.radio(key=widget_key(at, "radio", "_source")).set_value("upload").run()
    at.file_uploader[0].upload(name, data, mime)
    return at.run()


def all_text(at: AppTest) -> str:
    """Every title / markdown / caption / latex / alert string and widget label on the page."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "latex", "info",
                 "warning", "success", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for kind in ("radio", "slider", "selectbox", "select_slider", "toggle", "number_input"):
        parts += [str(w.label) for w in getattr(at, kind)]
    return "\n".join(parts)


def plotly_figures(at: AppTest) -> list[dict[str, Any]]:
    """The plotly figures on the page as dicts (decoded from each chart's JSON spec)."""
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def animations(at: AppTest) -> list[dict[str, Any]]:
    """The animated figures (those with frames) on the page, in page order."""
    return [f for f in plotly_figures(at) if f.get("frames")]


def annotation_texts(fig: dict[str, Any]) -> list[str]:
    """Every layout annotation's text of a figure dict (titles, the multiply-add, ...)."""
    return [a.get("text", "") for a in fig.get("layout", {}).get("annotations", [])]


def has_cjk(text: str) -> bool:
    """True if ``text`` contains Chinese characters."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def arr(value: Any) -> np.ndarray:
    """A figure's array field (typed-array dict or nested list; None -> NaN) as float64.

    (Was ``tests/pages/plotly_data.py``; the page tests for lessons 5-9 compare these
    numbers with the engine's.)
    """
    if isinstance(value, dict) and "bdata" in value:
        return decode_array(value)
    return np.array(value, dtype=object).astype(np.float64)


def decode_array(value: Any) -> np.ndarray:
    """A trace array from figure JSON: plain lists, or plotly's typed ``{"bdata", "dtype"}``."""
    if isinstance(value, dict) and "bdata" in value:
        import base64

        a = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            dims = [int(s) for s in str(shape).split(",")] if isinstance(shape, str) else shape
            a = a.reshape(dims)
        return a.astype(float)
    return np.array(value, dtype=float)


def trained_session() -> Any:  # noqa: ANN401 - a cnnviz.ui.training_session.TrainingSession
    """A training session that has trained simple_convnet for a moment (a few hundred images),
    as a learner's session would hold after the training page: what the network pages offer
    as "the model trained in this session"."""
    from cnnviz.concurrency import TRAINING_SLOTS
    from cnnviz.train import TrainConfig
    from cnnviz.ui.training_session import TrainingSession

    TRAINING_SLOTS.reset()
    sess = TrainingSession()
    assert sess.start(TrainConfig(train_limit=200, batch_size=100, epochs=1, test_limit=100))
    sess.tick(0.2)
    return sess
