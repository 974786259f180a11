"""Words hyphenated across a line break or a lost one."""

from __future__ import annotations

import pytest

from cleaners.hyphenation import fix_hyphenation, remove_soft_hyphens


@pytest.mark.parametrize(
    ("text", "lang", "fixed"),
    [
        ("pro-\ngetto", "it", "progetto"),
        ("pro-\ngetto", None, "progetto"),
        ("Jean-\nClaude", "fr", "Jean-Claude"),
        ("well-\nknown", "en", "well-known"),
        ("Ein-\nund Ausgang", "de", "Ein- und Ausgang"),
        ("empfe- hlen", "de", "empfehlen"),
        ("increa- ses", "en", "increases"),
        ("home- land", "en", "homeland"),
        ("Melatoninkonzentra- tion", "de", "Melatoninkonzentration"),
        ("villa\xadges", "en", "villages"),
    ],
)
def test_rejoins(text: str, lang: str | None, fixed: str):
    assert fix_hyphenation(text, lang) == fixed


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Ein- und Ausgang", "de"),
        ("mittel- und langfristig", "de"),
        ("onder- en overgewicht", "nl"),
        ("pre- and post-war", "en"),
        ("ces sujets- de la campagne", "fr"),
        ("Euro- NATO training", "en"),
        ("Preis - Leistung", "de"),
        ("2 °C- 8 °C", "fr"),
        ("empfe- hlen", None),
        ("x-\n2", "en"),
    ],
)
def test_keeps(text: str, lang: str | None):
    assert fix_hyphenation(text, lang) == text


def test_soft_hyphens():
    assert remove_soft_hyphens("a\xadb\xadc") == "abc"
