"""String helpers shared by the metadata modules: cleaning and comparing stated values.

Why a module of its own: the scan, JSON-LD, titles, authors and dates all
clean a stated value the same way (entities, whitespace) and compare names in
one normal form, so that "Le Monde", "lemonde" and "LE MONDE!" meet.
"""

from __future__ import annotations

import html
import re
import unicodedata

from cleaners.mojibake import fix_mojibake

__all__ = ["WS", "clean", "norm", "words"]

#: Runs of whitespace.
WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")
#: ``str.translate`` table: each ASCII character ``_NON_WORD`` matches becomes a space.
_ASCII_NON_WORD_TO_SPACE = {code: " " for code in range(128) if not chr(code).isalnum()}


def clean(value: object) -> str | None:
    """Entities decoded, mojibake undone, whitespace collapsed; None if empty or not a string.

    The parser has decoded one level of entities already; CMSs often encode
    twice (``&amp;#8217;``), so what is left is decoded once more.

    >>> clean("  Caf&eacute;\\n au  lait ")
    'Café au lait'
    >>> clean("itertools â€” Functions")
    'itertools — Functions'
    >>> clean(["a list"]) is None
    True
    """
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    if not value.isascii():
        value = fix_mojibake(value)  # ``itertools â€” Functions``: UTF-8 read as cp1252
    value = WS.sub(" ", value).strip()
    return value or None


def norm(value: str) -> str:
    """Casefold, fold accents and keep letters and digits: ``"Le Monde"`` and ``lemonde`` meet.

    >>> norm("Le Monde!"), norm("Le Petit Écho")
    ('lemonde', 'lepetitecho')
    """
    if not value.isascii():  # NFKD leaves ASCII as it is; skip the call
        # Accents folded: "Écho du Morvan" meets the host echodumorvan.fr.
        value = "".join(
            c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c)
        )
    return _NON_WORD.sub("", value.casefold())


def words(value: str) -> set[str]:
    """The casefolded words of ``value``, punctuation dropped.

    >>> sorted(words("Rain, rain: go away!"))
    ['away', 'go', 'rain']
    """
    if value.isascii():  # most titles: no pattern needed (a test compares the two)
        return set(value.lower().translate(_ASCII_NON_WORD_TO_SPACE).split())
    value = unicodedata.normalize("NFKC", value)
    return set(_NON_WORD.split(value.casefold())) - {""}
