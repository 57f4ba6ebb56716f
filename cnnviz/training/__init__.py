"""Training a CNN on MNIST, split by job (see ``trainer.py`` for how they fit together).

``config``      TrainConfig: what defines a run
``data``        MNIST shared per process, shuffled (and shifted) batches, the test subset
``progress``    ProgressEvent / TestPoint / Progress: counters, curves, moving averages
``guard``       the divergence guard and its bilingual StopReason
``inference``   logits, softmax probabilities, accuracy and loss, evaluate_model
``inspection``  convolution filters and feature maps, stage by stage
``trainer``     Trainer: the step-wise loop that wires them (weights files: ``cnnviz.weights``)
"""

from cnnviz.training.config import TrainConfig
from cnnviz.training.data import as_images, mnist_split
from cnnviz.training.guard import StopReason
from cnnviz.training.inference import EvalResult, evaluate_model, probabilities, softmax
from cnnviz.training.inspection import conv_weights, feature_maps, first_conv_weight
from cnnviz.training.progress import ProgressEvent, TestPoint
from cnnviz.training.trainer import Trainer

__all__ = [
    "EvalResult", "ProgressEvent", "StopReason", "TestPoint", "TrainConfig", "Trainer",
    "as_images", "conv_weights", "evaluate_model", "feature_maps", "first_conv_weight",
    "mnist_split", "probabilities", "softmax",
]
