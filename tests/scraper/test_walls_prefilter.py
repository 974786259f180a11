"""The cheap consent test gives the consent pattern's own answer, on any text."""

from __future__ import annotations

import importlib
import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

walls = importlib.import_module("scraper.extraction.walls")

#: Pieces that mix the pattern's words with case variants the regex folds, and
#: characters that lower-case to several ("İ") or fold differently ("ß", "ı").
PIECES = [
    "cookies",
    "COOKIE",
    "Consent",
    "prıvacy settings",
    "prİvacy settings",
    "PRİVACY PREFERENCES",
    "PRIVACY PREFERENCES",
    "accept all",
    "Reject ALL",
    "alle akzeptieren",
    "Tout Accepter",
    "alles accepteren",
    "accetta tutti",
    "aceptar todo",
    "aceitar todas",
    "zgadzam się",
    "ZGADZAM SIĘ",
    "toestemming",
    "einwilligung",
    "the council met",
    "accepted",
    "xcookie",
    "ſ",
    "K",
    "İ",
    "ß",
    "ı",
    " ",
    ".",
    "_",
    "\n",
]


def _plain(text: str) -> bool:
    return walls._CONSENT.search(text) is not None


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8), st.text(max_size=40))
def test_fast_test_agrees_with_the_pattern(pieces, noise):
    text = "".join(pieces) + noise
    assert walls._has_consent(text) == _plain(text)
    spaced = " ".join(pieces) + noise
    assert walls._has_consent(spaced) == _plain(spaced)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("cookiesCOKIEacptlrjAPRIVCYİıſK ßé-_\n"), max_size=60))
def test_fast_test_agrees_on_letter_soup(text):
    assert walls._has_consent(text) == _plain(text)


def test_every_character_the_pattern_equates_with_a_word_letter_folds_to_it():
    """What makes searching the folded copy exact: checked over all of Unicode."""
    letters = sorted(set("".join(walls._CONSENT_WORDS)))
    any_letter = re.compile("[" + "".join(letters) + "]", re.IGNORECASE)
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if not any_letter.fullmatch(char):
            continue
        folded = walls._fold(char)
        if len(folded) != 1:
            continue  # positions shift: _has_consent searches the plain way
        for letter in letters:
            if re.fullmatch(letter, char, re.IGNORECASE):
                assert folded == letter, (hex(code), letter)


def test_every_alternative_holds_a_word_where_the_table_says():
    """Read off the pattern itself: each alternative starts with literal text that
    holds one of the words at one of its listed offsets."""
    source = walls._CONSENT.pattern
    alternatives = source[source.index("(") + 1 : source.rindex(")")].split("|")
    assert len(alternatives) == 15
    for alternative in alternatives:
        assert any(
            alternative[offset:].startswith(word) and re.fullmatch(r"[a-z ]*", alternative[:offset])
            for word, offsets in walls._CONSENT_WORDS.items()
            for offset in offsets
        ), alternative


def test_consent_share_unchanged_on_plain_news():
    assert walls.consent_share("The council met on Monday.\nThe budget passed.") == 0.0
    assert walls.consent_share("We use cookies here.\nThe council met today.") == 0.5
    assert walls.consent_share("Straße gesperrt.\nAlle akzeptieren bitte.") == 0.6


def test_wall_word_limit_is_exact():
    consent = "We use cookies. Accept all or manage privacy settings."
    short = consent + " word" * (walls.SHORT_BODY_WORDS - len(consent.split()) - 1)
    assert len(short.split()) == walls.SHORT_BODY_WORDS - 1
    assert walls.looks_like_wall(short)
    assert not walls.looks_like_wall(short + " word")
    assert not walls.looks_like_wall(short + " word\n")
