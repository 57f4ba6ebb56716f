"""Data for the lessons: MNIST, the learner's own images, sample images, drawn digits.

NumPy, Pillow and the standard library only (no Streamlit), so the CLI and tests use it too.
"""

from .digits import BlankDigitError, preprocess_digit
from .images import (
    ImageLoadError,
    LoadedImage,
    ensure_min_size,
    from_array,
    load_image,
    to_grayscale,
)
from .mnist import MnistError, load_mnist, mnist_arrays
from .samples import SAMPLES, Sample, load_sample, sample_names

__all__ = [
    "SAMPLES",
    "BlankDigitError",
    "ImageLoadError",
    "LoadedImage",
    "MnistError",
    "Sample",
    "ensure_min_size",
    "from_array",
    "load_image",
    "load_mnist",
    "load_sample",
    "mnist_arrays",
    "preprocess_digit",
    "sample_names",
    "to_grayscale",
]
