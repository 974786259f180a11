"""Spacing around punctuation and doubled punctuation, language-aware."""

from __future__ import annotations

import pytest

from cleaners.punctuation import (
    fix_doubled_punctuation,
    fix_missing_space,
    fix_space_before_punctuation,
)


@pytest.mark.parametrize(
    ("text", "lang", "fixed"),
    [
        ("al Cremlino .", "it", "al Cremlino."),
        ("Hola , amigo", "es", "Hola, amigo"),
        ("(2000 )", "en", "(2000)"),
        ("Wie bitte ?", "de", "Wie bitte?"),
        ("Attention : oui ! Vraiment ?", "fr", "Attention : oui ! Vraiment ?"),
        ("Vraiment , non .", "fr", "Vraiment, non."),
        ("What ?", None, "What ?"),
        ("Wait ...", "en", "Wait ..."),
        ("the .com domain", "en", "the .com domain"),
        ("zei hij ,,Ja''", "nl", "zei hij ,,Ja''"),
        ("smile :) and ;-)", "en", "smile :) and ;-)"),
        ("( )", "en", "( )"),
    ],
)
def test_space_before(text: str, lang: str | None, fixed: str):
    assert fix_space_before_punctuation(text, lang) == fixed


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("messaggio. .", "messaggio."),
        ("Poi,, allora", "Poi, allora"),
        ("sì, , no", "sì, no"),
        ("scuro,. un", "scuro, un"),
        ("you., Then", "you. Then"),
        ("così.. Fine", "così. Fine"),
        ("Note:: here", "Note: here"),
        ("one;; two", "one; two"),
        ("Really?? Yes!! No ! !", "Really? Yes! No !"),
    ],
)
def test_doubled(text: str, fixed: str):
    assert fix_doubled_punctuation(text) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "Lewis et al., 2014",
        "in the U.S., Canada",
        "Orlando, Fla., June 16",
        "etc., and so on",
        "Wait...",
        "Wait.... really",
        ". . .",
        "Wow!!! ?! !?",
        ",,Dutch'' quote",
        "std::vector, a::b",
        "../path",
    ],
)
def test_doubled_keeps(text: str):
    assert fix_doubled_punctuation(text) == text


@pytest.mark.parametrize(
    ("text", "lang", "fixed"),
    [
        ("fine.Il giorno", "it", "fine. Il giorno"),
        ("Japan,South Korea", "en", "Japan, South Korea"),
        ("biurko,dywan", "pl", "biurko, dywan"),
        ("haben;Die", "de", "haben; Die"),
        ("Fainelli:\"l'auto", "it", "Fainelli: \"l'auto"),
        ("closing in.A silver", "en", "closing in. A silver"),
        ("familiale.L'inspecteur", "fr", "familiale. L'inspecteur"),
        ("LAUT.Die Tür", "de", "LAUT. Die Tür"),
        ("21h.Pour le", "fr", "21h. Pour le"),
        ("w 1994 r.wydatki", "pl", "w 1994 r. wydatki"),
        ("à M.Wurtz que", "fr", "à M. Wurtz que"),
        ("Personal!)und", "de", "Personal!) und"),
        ("democrazia.(dal", "it", "democrazia. (dal"),
        ('schwer."Öffentlich', "de", 'schwer. "Öffentlich'),
    ],
)
def test_missing_space(text: str, lang: str, fixed: str):
    assert fix_missing_space(text, lang) == fixed


@pytest.mark.parametrize(
    "text",
    [
        "U.S. e.g. i.e. 3.5 1.000,50 10:30",
        "example.com Booking.com Node.js ASP.NET README.md",
        "https://example.com/a.B?c=D,E info@example.Org www.Example.com",
        "EU:n USA:s http:x",
        "St.Joseph O.F.Cook J.R.R.Tolkien",
        "x,y and a,b",
        ":D ;P :)",
        "iPhone.Apple",
    ],
)
def test_missing_space_keeps(text: str):
    assert fix_missing_space(text, "en") == text
