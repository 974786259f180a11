"""Language codes and detection."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaners.language import _has_letters, detect_language, normalize_lang


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("it", "it"),
        ("IT", "it"),
        ("pt-BR", "pt"),
        ("de_DE", "de"),
        ("deu", "de"),
        ("fre", "fr"),
        ("", None),
        (None, None),
        ("xx-1", "xx"),
        ("klingon", None),
        ("123", None),
    ],
)
def test_normalize(tag: str | None, code: str | None):
    assert normalize_lang(tag) == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Il presidente russo arriverà in visita ufficiale in Corea del Nord il 18 giugno.", "it"),
        (
            "Die Bundesregierung will im Herbst eine Steuerreform vorlegen, sagte der Minister.",
            "de",
        ),
        ("Le maire a présenté le budget de l'année prochaine devant le conseil municipal.", "fr"),
        ("Rząd przyjął nową ustawę o podatkach, która wejdzie w życie w styczniu.", "pl"),
    ],
)
def test_detects(text: str, code: str):
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "OK", "12345 67890", "Kim Jong Un", "🙂🙂🙂"])
def test_unsure_is_none(text: str):
    assert detect_language(text) is None


def test_reads_only_the_start():
    text = "Il presidente russo arriverà in visita ufficiale in Corea del Nord. " * 40
    assert detect_language(text + "x" * 100_000) == "it"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=120), st.integers(0, 60))
def test_has_letters_agrees_with_findall(text: str, count: int):
    """The letter check stops early, with the answer counting every letter gives."""
    expected = len(re.findall(r"[^\W\d_]", text)) >= count
    assert _has_letters(text, count) is expected
