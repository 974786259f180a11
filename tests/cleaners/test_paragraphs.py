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


# A text whose paragraphs start in lower case anyway (reviews, comments): there a long
# sentence that only lacks its period ends the paragraph.
REVIEW = (
    "Wir haben dort zwei sehr schöne Wochen mit vielen netten Leuten und so gutem Essen "
    "im Hotel am See verbracht"
)


@pytest.mark.parametrize(
    "text",
    [
        f"{REVIEW}\n\nbei uns war es toll...\n\nnette leute.",
        "We stayed there for two weeks with lovely people and good food at the hotel by "
        "the lake all summer long\n\nfor the price it was fine.\n\ngreat staff.",
    ],
)
def test_lowercase_habit_keeps_finished_paragraphs(text: str):
    assert join_broken_paragraphs(text) == text


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        # A comma or an article still shows a sentence that goes on ...
        (
            f"{REVIEW} mit dem\n\nbesten Blick.\n\nnette leute.",
            f"{REVIEW} mit dem besten Blick.\n\nnette leute.",
        ),
        (
            "great stay.\n\nthe rooms were clean,\n\nthe staff kind.\n\nnice.",
            "great stay.\n\nthe rooms were clean, the staff kind.\n\nnice.",
        ),
        # ... and so does a short fragment.
        (
            "great stay.\n\nthe rooms were\n\nclean and bright.\n\nnice.",
            "great stay.\n\nthe rooms were clean and bright.\n\nnice.",
        ),
    ],
)
def test_lowercase_habit_still_joins_broken_sentences(text: str, fixed: str):
    assert join_broken_paragraphs(text) == fixed


def test_capitalised_text_joins_a_long_sentence_broken_before_a_preposition():
    text = f"Am Ende. {REVIEW}\n\nbei Freunden.\n\nDas war gut."
    assert join_broken_paragraphs(text) == f"Am Ende. {REVIEW} bei Freunden.\n\nDas war gut."
