"""Compatibility: ``from cnnviz.train import Trainer, TrainConfig, load_model, ...`` keeps working.

Training lives in ``cnnviz.training`` (split by job) and weights files in ``cnnviz.weights``;
new code imports from there.
"""

from cnnviz.training import (
    EvalResult,
    ProgressEvent,
    StopReason,
    TestPoint,
    TrainConfig,
    Trainer,
    evaluate_model,
    feature_maps,
)
from cnnviz.weights import (
    WEIGHTS_DIR,
    WeightsError,
    load_model,
    load_weights,
    pretrained_path,
    save_weights,
)

__all__ = [
    "EvalResult", "ProgressEvent", "StopReason", "TestPoint", "TrainConfig", "Trainer",
    "WEIGHTS_DIR", "WeightsError", "evaluate_model", "feature_maps", "load_model",
    "load_weights", "pretrained_path", "save_weights",
]
