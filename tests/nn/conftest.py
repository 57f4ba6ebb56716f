"""Every engine test runs twice: on the calling thread, and split over two engine threads
(``cnnviz.nn.set_num_threads``), so each comparison with PyTorch holds for both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import cnnviz.nn as nn


@pytest.fixture(autouse=True, params=[1, 2], ids=["1thread", "2threads"])
def engine_threads(request: pytest.FixtureRequest) -> Iterator[int]:
    nn.set_num_threads(request.param)
    try:
        yield request.param
    finally:
        nn.set_num_threads(1)
