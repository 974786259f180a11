"""Duplicated paragraphs, headings and titles."""

from __future__ import annotations

import pytest

from cleaners.duplicates import block_key, remove_duplicates


@pytest.mark.parametrize(
    ("text", "title", "fixed"),
    [
        ("A sentence here.\n\nA sentence here.\n\nNext.", None, "A sentence here.\n\nNext."),
        ("Heading\n\nHeading\n\nText.", None, "Heading\n\nText."),
        ("Title – one\n\nTitle –one\n\nText.", None, "Title – one\n\nText."),
        (
            "Su novio fue herido.\n\nOtro.\n\nSu novio fue herido.",
            None,
            "Su novio fue herido.\n\nOtro.",
        ),
        ("Short title\n\nText.\n\nShort title", "Short title", "Short title\n\nText."),
        (
            "A heading of words\n\nA heading of words goes on here.",
            None,
            "A heading of words goes on here.",
        ),
        (
            "A heading of words\n\nA heading of words. The paragraph.",
            None,
            "A heading of words\n\nThe paragraph.",
        ),
        ("One line\nOne line\nOther", None, "One line\nOther"),
        # A paragraph broken in two next to its whole copy: the pieces go.
        (
            "Intro.\n\nEl tribunal decidió\n\nayer por la tarde.\n\nEl tribunal decidió ayer "
            "por la tarde.\n\nFin.",
            None,
            "Intro.\n\nEl tribunal decidió ayer por la tarde.\n\nFin.",
        ),
        (
            "Intro.\n\nDe rechter besliste gisteren.\n\nDe rechter besliste\n\ngisteren.\n\nEind.",
            None,
            "Intro.\n\nDe rechter besliste gisteren.\n\nEind.",
        ),
    ],
)
def test_removes(text: str, title: str | None, fixed: str):
    assert remove_duplicates(text, title) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Sources\n\nText one.\n\nSources",
        "Antonín Dvořák\n\nHe was born.\n\nAntonín Dvořák",
        "***\n\n***",
        "Yes.\n\nNo.\n\nYes.",
        "Single block",
        "Hello world\n\nand more.\n\nHello\n\nworld and more.",
        "Part one\n\nPart two\n\nPart one Part two three",
    ],
)
def test_keeps(text: str):
    assert remove_duplicates(text) == text


def test_block_key_ignores_case_space_and_punctuation():
    assert block_key("Hello,  World!") == block_key("hello world") == "helloworld"
