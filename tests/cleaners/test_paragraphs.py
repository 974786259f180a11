"""Lines and paragraphs broken in mid-sentence."""

from __future__ import annotations

import pytest

from cleaners.paragraphs import join_broken_lines, join_broken_paragraphs

LONG = "This line of wrapped prose is more than forty characters"


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        (f"{LONG}\nlong.\n\nNext.", f"{LONG} long.\n\nNext."),
        (f"{LONG}:\n- item\n\nNext.", f"{LONG}:\n- item\n\nNext."),
        (f"{LONG}\nand\n{LONG}\nends", f"{LONG} and {LONG} ends"),
    ],
)
def test_lines(text: str, fixed: str):
    assert join_broken_lines(text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Short.\nLines.\nEach a paragraph.",
        "Roses are red\nViolets are blue\nSugar is sweet",
        "Address line\nStreet 1\nCity\n\nText.",
        "No newline at all.",
    ],
)
def test_lines_keep(text: str):
    assert join_broken_lines(text) == text


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        (
            "per il Cremlino\n\nsoprattutto in considerazione.",
            "per il Cremlino soprattutto in considerazione.",
        ),
        ("mit dem\n\nBürgermeister.", "mit dem Bürgermeister."),
        (
            "enseignants, parents,\n\npour la conception.",
            "enseignants, parents, pour la conception.",
        ),
        ("a representative sample\n\nof adults", "a representative sample of adults"),
        ('Er sagte\n\n"musste" alles schnell gehen.', 'Er sagte "musste" alles schnell gehen.'),
    ],
)
def test_paragraphs(text: str, fixed: str):
    assert join_broken_paragraphs(text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Troubles cardiaques\n\nbradycardie",
        "Heading\n\nA paragraph starts.",
        "Title here\n\niPhone owners rejoice.",
        "Kim Jong-un\n\nLa Corea del Nord.",
        "age;\n\nreligion;",
        "- item one\n\nitem two continues",
        "End of sentence.\n\nlowercase start.",
    ],
)
def test_paragraphs_keep(text: str):
    assert join_broken_paragraphs(text) == text
