"""Leftover HTML entities."""

from __future__ import annotations

import pytest

from cleaners.entities import fix_entities


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("sp&auml;t", "spät"),
        ("Caf&amp;eacute;", "Café"),
        ("&amp;amp;amp;", "&"),
        ("&#228; &#xE4; &#XE4;", "ä ä ä"),
        ("10&nbsp;km", "10\xa0km"),
        ("10&nbsp km", "10\xa0 km"),
        ("&lt;p&gt;", "<p>"),
        ("&#38;lt;", "<"),
    ],
)
def test_decodes(text: str, fixed: str):
    assert fix_entities(text) == fixed


@pytest.mark.parametrize(
    "text",
    ["AT&T", "Q&A", "Fish & Chips", "&bogus;", "&#0;", "&#xD800;", "&#1114112;", "a&b;c", "&"],
)
def test_leaves_non_entities(text: str):
    assert fix_entities(text) == text


def test_idempotent_on_nested_escapes():
    once = fix_entities("&amp;#38;amp;lt;")
    assert fix_entities(once) == once
