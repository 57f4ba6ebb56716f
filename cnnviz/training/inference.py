"""Running a trained model: logits in eval mode, softmax probabilities, accuracy and loss, and
the full evaluation behind the confusion matrix and the mistakes gallery."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz import nn
from cnnviz.training.data import as_images

__all__ = ["EvalResult", "accuracy_and_loss", "evaluate_model", "logits", "probabilities",
           "softmax"]


@dataclass
class EvalResult:
    """A test-set evaluation: the numbers behind the confusion matrix and mistakes gallery."""

    accuracy: float
    loss: float
    n: int
    predictions: np.ndarray  # (n,) int64
    labels: np.ndarray  # (n,) int64
    confusion: np.ndarray  # (10, 10) int64, rows = true digit, columns = predicted
    per_class_accuracy: np.ndarray  # (10,) float, NaN for a digit absent from the subset
    mistakes: np.ndarray  # indices into the evaluated images where prediction != label
    probabilities: np.ndarray  # (n, 10) float32 softmax outputs


def softmax(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64 (probabilities that sum to 1 as printed)."""
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def logits(model: nn.Module, x: np.ndarray, chunk: int = 500) -> np.ndarray:
    """The model's outputs (N, 10) for images of any accepted shape, in eval mode (a model in
    training mode is put back after)."""
    was_training = model.training
    model.eval()
    try:
        x = as_images(x)
        outs = [np.asarray(model(x[i:i + chunk])) for i in range(0, len(x), chunk)]
    finally:
        if was_training:
            model.train()
    return np.concatenate(outs, axis=0) if outs else np.zeros((0, 10), np.float32)


def probabilities(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Softmax probabilities (N, 10), float64, for images (28, 28) ... (N, 1, 28, 28)."""
    return softmax(logits(model, x))


def accuracy_and_loss(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Accuracy and mean cross-entropy of logits ``z`` against labels ``y``."""
    if len(y) == 0:
        return 0.0, 0.0
    z = z - z.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = float(-logp[np.arange(len(y)), y].mean())
    acc = float((z.argmax(axis=1) == y).mean())
    return acc, loss


def evaluate_model(model: nn.Module, x: np.ndarray, y: np.ndarray,
                   chunk: int = 500) -> EvalResult:
    """Evaluate any engine model on labelled images (eval mode; train mode restored after)."""
    z = logits(model, x, chunk).astype(np.float64)
    y = np.asarray(y, dtype=np.int64)
    acc, loss = accuracy_and_loss(z, y)
    pred = z.argmax(axis=1).astype(np.int64) if len(y) else np.zeros(0, np.int64)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (y, pred), 1)
    support = confusion.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(support > 0, np.diag(confusion) / np.maximum(support, 1), np.nan)
    probs = softmax(z).astype(np.float32) if len(y) else np.zeros((0, 10), np.float32)
    return EvalResult(
        accuracy=acc, loss=loss, n=int(len(y)), predictions=pred, labels=y,
        confusion=confusion, per_class_accuracy=per_class,
        mistakes=np.flatnonzero(pred != y), probabilities=probs,
    )
