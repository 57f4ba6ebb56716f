"""``python -m cnnviz train|evaluate``: see :mod:`cnnviz.cli`."""

import sys

from cnnviz.cli import main

if __name__ == "__main__":
    sys.exit(main())
