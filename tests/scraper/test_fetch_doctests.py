"""Run the doctests of scraper.fetching (pytest's --doctest-modules covers cleaners/ only)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "scraper.fetching.charset",
    "scraper.fetching.content",
    "scraper.fetching.politeness",
    "scraper.fetching.redirects",
    "scraper.fetching.retry",
    "scraper.fetching.robots",
]


@pytest.mark.parametrize("name", MODULES)
def test_fetch_doctests(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    assert result.attempted > 0
