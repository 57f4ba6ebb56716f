"""cnnviz: an interactive lab for learning convolutional neural networks.

The engine (`cnnviz.nn`, `cnnviz.optim`) is NumPy only and mirrors PyTorch's names,
shapes and numbers, so what a learner reads here carries over to real code.
"""

__version__ = "0.1.0"
