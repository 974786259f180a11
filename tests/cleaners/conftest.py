"""Shared fixtures for the cleaners tests: the labelled text cases in ``fixtures/text``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

TEXT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "text"
CASE_FILES = ("synthetic", "negative", "in_the_wild", "known_failures")


def load_cases(name: str) -> list[dict[str, Any]]:
    """The labelled cases of ``fixtures/text/<name>.json``."""
    cases: list[dict[str, Any]] = json.loads((TEXT_FIXTURES / f"{name}.json").read_text("utf-8"))
    return cases


@pytest.fixture(scope="session")
def negative_cases() -> list[dict[str, Any]]:
    """Correct text in many languages that every step must leave alone."""
    return load_cases("negative")
