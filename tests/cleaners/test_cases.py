"""The labelled text cases in ``fixtures/text/*.json`` (ftfy's test-cases style).

``synthetic``: one kind of damage each; ``in_the_wild``: damage as extractors
leave it; ``negative``: correct text in many languages that must come back
unchanged, traps included; ``known_failures``: what we do not fix yet (strict
xfail, so a fix shows up as a failure to move the case).
"""

from __future__ import annotations

from typing import Any

import pytest

from cleaners import clean
from tests.cleaners.conftest import CASE_FILES, load_cases


def _params() -> list[Any]:
    params = []
    for name in CASE_FILES:
        for case in load_cases(name):
            marks = (
                [pytest.mark.xfail(strict=True, reason=case["comment"])]
                if case["expect"] == "fail"
                else []
            )
            params.append(pytest.param(case, id=f"{name}: {case['label']}", marks=marks))
    return params


def test_case_files_are_well_formed():
    for name in CASE_FILES:
        cases = load_cases(name)
        assert cases, name
        for case in cases:
            assert {"label", "original", "fixed", "comment", "expect"} <= set(case), case
            assert case["expect"] in ("pass", "fail"), case
            if name == "negative":
                assert case["original"] == case["fixed"], case["label"]
            if name == "known_failures":
                assert case["expect"] == "fail", case["label"]
        labels = [c["label"] for c in cases]
        assert len(labels) == len(set(labels)), name


@pytest.mark.parametrize("case", _params())
def test_case(case: dict[str, Any]):
    assert clean(case["original"], case.get("lang"), title=case.get("title")) == case["fixed"]


def test_negative_cases_without_a_language(negative_cases: list[dict[str, Any]]):
    """Correct text stays unchanged when the language has to be detected, too."""
    for case in negative_cases:
        assert clean(case["original"]) == case["original"], case["label"]


def test_negative_cases_in_many_languages(negative_cases: list[dict[str, Any]]):
    langs = {case.get("lang") for case in negative_cases}
    assert len(langs) >= 20
    assert {"en", "it", "de", "fr", "es", "pt", "nl", "pl"} <= langs
