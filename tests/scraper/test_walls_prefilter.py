"""The cheap consent test never says "no" where the consent pattern matches."""

from __future__ import annotations

import importlib

from hypothesis import given, settings
from hypothesis import strategies as st

walls = importlib.import_module("scraper.extraction.walls")

#: Pieces that mix the pattern's words with case variants the regex folds.
PIECES = [
    "cookies",
    "COOKIE",
    "Consent",
    "prıvacy settings",
    "PRIVACY PREFERENCES",
    "accept all",
    "Reject ALL",
    "alle akzeptieren",
    "Tout Accepter",
    "accetta tutti",
    "aceptar todo",
    "aceitar todas",
    "zgadzam się",
    "ZGADZAM SIĘ",
    "toestemming",
    "the council met",
    "ſ",
    "K",
    " ",
    ".",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8), st.text(max_size=40))
def test_prefilter_agrees_with_the_pattern(pieces, noise):
    text = " ".join(pieces) + noise
    assert walls._mentions_consent(text) == (walls._CONSENT.search(text) is not None)


def test_consent_share_unchanged_on_plain_news():
    assert walls.consent_share("The council met on Monday.\nThe budget passed.") == 0.0
    assert walls.consent_share("We use cookies here.\nThe council met today.") == 0.5
