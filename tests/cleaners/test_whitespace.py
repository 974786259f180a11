"""Odd whitespace."""

from __future__ import annotations

import pytest

from cleaners.whitespace import fix_whitespace


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("a\u00a0b", "a b"),
        ("a\u202fb\u2009c\u2007d", "a b c d"),
        ("a\tb", "a b"),
        ("a  \u00a0 b", "a b"),
        ("sph\u200bere", "sphere"),
        ("\ufeffStart", "Start"),
        ("word \u200cnext", "word next"),
        ("line \nnext\t\n", "line\nnext\n"),
        ("  indented", "indented"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("a\n\n\n\nb", "a\n\nb"),
        ("a\u2029b", "a\n\nb"),
    ],
)
def test_normalises(text: str, fixed: str):
    assert fix_whitespace(text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Attention\u00a0: oui\u00a0! « non\u00a0» 50\u00a0%",
        "می\u200cخواهم",
        "👨\u200d👩\u200d👧",
        "ประเทศไทย\u200bมี",
        "東京\u3000大阪",
        "plain text\n\nand more",
        "ends with one newline\n",
    ],
)
def test_keeps_meaningful_characters(text: str):
    assert fix_whitespace(text) == text
