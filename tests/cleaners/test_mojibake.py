"""Mojibake: ftfy with only the encoding fixes, plus mixed and lost-byte repairs."""

from __future__ import annotations

import pytest

from cleaners.mojibake import (
    fix_a_grave,
    fix_mixed_mojibake,
    fix_mojibake,
    fix_replacement_characters,
)


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("FÃ¼r", "Für"),
        ("zusÃƒÂ¤tzliche", "zusätzliche"),
        ("dziaÅ‚alnoÅ›ci", "działalności"),
        ("â€œquotedâ€\x9d", "“quoted”"),
        ("caf\xc3\xa9", "café"),
    ],
)
def test_repairs(text: str, fixed: str):
    assert fix_mojibake(text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "“Curly quotes” stay curly",
        "ﬁne ligatures and ｆｕｌｌ width stay",
        "Zaporozhye, Straße, Ærø, ÀÉÎÕÜ, SÃO PAULO",
        "„Gruß“ und «Café»",
        "e\u0301 decomposed stays decomposed",
    ],
)
def test_leaves_correct_text(text: str):
    assert fix_mojibake(text) == text


def test_mixed_words():
    assert fix_mixed_mojibake("siÄ™ i się") == "się i się"


def test_a_grave_lost_no_break_space():
    assert fix_a_grave("sfericitÃ , pas, Ã  propos") == "sfericità, pas, à propos"


@pytest.mark.parametrize(
    ("text", "lang", "fixed"),
    [
        ("f\ufffdr", "de", "für"),
        ("pi\ufffd", "it", "più"),
        ("si\ufffd", "pl", "się"),
        ("f\ufffdr", None, "f\ufffdr"),
        ("\ufffd\ufffd\ufffdxyz", "de", "\ufffd\ufffd\ufffdxyz"),
    ],
)
def test_replacement_characters(text: str, lang: str | None, fixed: str):
    assert fix_replacement_characters(text, lang) == fixed
