"""Stray HTML tag fragments."""

from __future__ import annotations

import pytest

from cleaners.tags import remove_stray_tags, strip_tag_fragments


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("A.\n\np>\n\nB.", "A.\n\nB."),
        ("p>\n\nB.", "B."),
        ("A.\n\n</em", "A."),
        ("A.\n/p>\n\nB.", "A.\n\nB."),
        ("strong> soprattutto", "soprattutto"),
        ("i> 4600 Menschen", "4600 Menschen"),
        ("Volkskrant.b>", "Volkskrant."),
        ("goo /p> to", "goo to"),
        ("Stunden p>aufgrund", "Stunden aufgrund"),
        ("trage </pseit 5 Jahren", "trage seit 5 Jahren"),
        ("die</i kann", "die kann"),
        ("de lasspan> obras", "de las obras"),
        ('eingezäunt,div class="x"> lag', "eingezäunt, lag"),
        ("<emSi la", "Si la"),
        ("<p class='lead'>Text</p>", "Text"),
        ("H<sub>2</sub>O", "H2O"),
        ("one<br>two", "one two"),
        ("Geld. span>\n\nDer a> Service", "Geld.\n\nDer Service"),
        ("<p- 24 mai", "- 24 mai"),
        ("29br> septembre", "29 septembre"),
        ('--a href="/news/"> und', "-- und"),
        ("a<!--x-->b", "ab"),
        ('Il <iframe src="x"></iframe> video.', "Il video."),
        ("<!-- commento --> testo", "testo"),
    ],
)
def test_removes_fragments(text: str, fixed: str):
    assert remove_stray_tags(text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "p>0.05",
        "p> 0.05 was not significant",
        "x > y",
        "a -> b",
        "a => b",
        "i>j",
        "a>b",
        "a<b",
        "<3",
        "x <y",
        "Use <Ctrl> and <Alt>",
        "Values of 5b> and 6a>",
        "the <placeholder> stays",
    ],
)
def test_keeps_real_text(text: str):
    assert remove_stray_tags(text) == text


def test_line_made_only_of_fragments_goes_with_one_blank_line():
    assert remove_stray_tags("A.\n\np>\n\nq>\n\nB.") == "A.\n\nB."


def test_strip_tag_fragments_single_line():
    assert strip_tag_fragments('nett a href="/news/"> und') == "nett und"


@pytest.mark.parametrize(
    "text",
    [
        "Come and see <Palace Tale: Jang Noksu> at the theatre tonight.",
        "Il musical <Pinocchio> torna in scena a Firenze.",
    ],
)
def test_a_title_in_angle_brackets_is_not_a_tag(text):
    assert strip_tag_fragments(text) == text
