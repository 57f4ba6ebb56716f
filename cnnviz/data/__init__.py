"""Data for the lessons: MNIST, the learner's own images, sample images, drawn digits.

NumPy, Pillow and the standard library only (no Streamlit), so the CLI and tests use it too.
"""

from .mnist import MnistError, load_mnist, mnist_arrays

__all__ = ["MnistError", "load_mnist", "mnist_arrays"]
