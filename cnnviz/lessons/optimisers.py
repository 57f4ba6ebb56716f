"""The optimisers as the training page names them, in both languages.

The keys are ``cnnviz.optim.OPTIMIZER_NAMES``. Proper names (SGD, Adam, ...) read the same
in both languages; "momentum" is a word and is translated, so a Chinese page shows no
English beyond the names.
"""

from __future__ import annotations

from cnnviz.i18n import Text

OPTIMISER_NAMES: dict[str, Text] = {
    "sgd": Text("SGD", "SGD"),
    "momentum": Text("SGD + momentum", "SGD + 动量"),
    "nesterov": Text("SGD + Nesterov momentum", "SGD + Nesterov 动量"),
    "adagrad": Text("AdaGrad", "AdaGrad"),
    "rmsprop": Text("RMSProp", "RMSProp"),
    "adadelta": Text("AdaDelta", "AdaDelta"),
    "adam": Text("Adam", "Adam"),
}
