"""Boilerplate lines, by general rules and multilingual lexicons."""

from __future__ import annotations

import pytest

from cleaners.boilerplate import classify_block, remove_boilerplate

BODY = "The council met on Monday and approved the budget for next year."


@pytest.mark.parametrize(
    "line",
    [
        # share
        "Share on Facebook",
        "Auf Facebook teilen",
        "Condividi su WhatsApp",
        "Partager sur X",
        "Compartir en Twitter",
        "Compartilhar no Facebook",
        "Delen op LinkedIn",
        "Udostępnij na Facebooku",
        "Copy link",
        "Link kopieren",
        # newsletter
        "Subscribe to our newsletter",
        "Newsletter abonnieren",
        "Iscriviti alla newsletter",
        "Inscrivez-vous à la newsletter",
        "Suscríbete a nuestro boletín",
        "Assine a newsletter",
        "Meld je aan voor de nieuwsbrief",
        "Zapisz się do newslettera",
        # comments
        "Leave a Reply",
        "Leave a Reply Cancel reply",
        "0 Comments",
        "12 Kommentare",
        "Schreibe einen Kommentar",
        "Lascia un commento",
        "Laisser un commentaire",
        "Deja un comentario",
        "Deixe um comentário",
        "Plaats een reactie",
        "Dodaj komentarz",
        "Your email address will not be published.",
        # ads
        "Advertisement",
        "ANZEIGE",
        "Pubblicità",
        "Publicité",
        "Publicidad",
        "PUBLICIDADE",
        "Advertentie",
        "Reklama",
        "Sponsored content",
        # cookies
        "We use cookies to improve your experience on our website.",
        "Accept all cookies",
        "Alle akzeptieren",
        "Diese Website verwendet Cookies.",
        "Ce site utilise des cookies.",
        # related
        "Related articles",
        "Read more",
        "Mehr zum Thema",
        "Leggi anche",
        "Lire aussi",
        "Lea también",
        "Leia também",
        "Lees ook",
        "Czytaj także",
        "You may also like",
        # legal
        "© 2024 Example Media. All rights reserved.",
        "Alle Rechte vorbehalten.",
        # navigation
        "Home > News > World",
        "Startseite » Politik » Ausland",
        "Skip to content",
    ],
)
def test_removes_at_the_bottom(line: str):
    assert remove_boilerplate(f"{BODY}\n\n{line}") == BODY


@pytest.mark.parametrize("line", ["World News", "Politik", "Esteri", "Sport", "Home"])
def test_removes_section_label_at_the_top(line: str):
    assert remove_boilerplate(f"{line}\n\n{BODY}") == BODY


@pytest.mark.parametrize(
    "text",
    [
        f"{BODY}\n\nWe share the news with our readers every day.",
        f"Early life\n\n{BODY}\n\nCareer\n\n{BODY[:-1]} again.",
        f"{BODY}\n\nVoir aussi\n\n- Révolution roumaine de 1989\n\n- Ceausescu",
        f"{BODY}\n\nSolution reconstituée :",
        f"{BODY}\n\nBy Aaron Swartz",
        f"{BODY}\n\nThis work is licensed under a Creative Commons Attribution 3.0 License.",
        "Comments on the draft law were due on Monday.",
        "Share of the market rose to ten percent this year.",
        "Guten Tag",
        "Tag 3",
    ],
)
def test_keeps(text: str):
    assert remove_boilerplate(text) == text


def test_related_heading_followed_by_real_text_stays():
    text = f"{BODY}\n\nSee also\n\nThe history of the city council"
    assert remove_boilerplate(text) == text


def test_middle_needs_a_trigger():
    assert classify_block("Facebook Twitter") is None
    assert classify_block("Facebook Twitter", edge=True) == "lexicon"
    assert classify_block("Share") == "lexicon"


@pytest.mark.parametrize("text", ["World News", "Sport", "Share", "Facebook", "Tags:"])
def test_a_text_without_paragraphs_keeps_its_labels(text: str):
    """With no real paragraph there is no page furniture to tell apart; only triggers count."""
    assert remove_boilerplate(text) in (text, "")
    assert remove_boilerplate("World News") == "World News"
