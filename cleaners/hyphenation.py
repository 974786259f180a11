"""Rejoin words hyphenated across a line break (``pro-\\ngetto``) or a lost one (``empfe- hlen``).

Text extracted from print layouts and PDFs keeps the hyphen and line break
that split a word, and layout whitespace sometimes turns the break into a
space; soft hyphens (U+00AD) are invisible on the page but split words for
every program.  Real hyphens stay (``Jean-\\nClaude`` -> ``Jean-Claude``), and
so do truncated compounds (``Ein- und Ausgang``, ``mittel- und langfristig``).
A word split by a hyphen and a *space* is joined only with word-frequency
evidence, so it needs the language.
"""

from __future__ import annotations

import re

from cleaners import _cache
from cleaners.chardata import CONJUNCTIONS

__all__ = ["fix_hyphenation", "remove_soft_hyphens"]

_BREAK_RE = re.compile(r"(?<![\w-])(?P<left>[^\W\d_]+)-(?P<gap>\n|[ ])(?P<right>[^\W\d_]+)")

#: A joined word rarer than this is not evidence; fragments rarer than RARE are non-words.
_KNOWN = 1e-8
_RARE = 1e-7


def remove_soft_hyphens(text: str) -> str:
    """Delete soft hyphens (U+00AD): invisible on the page, they split words for programs.

    >>> remove_soft_hyphens("villa\\xadges")
    'villages'
    """
    return text.replace("\xad", "") if "\xad" in text else text


def _rejoin(match: re.Match[str], freqs: dict[str, float] | None) -> str:
    left, gap, right = match.group("left"), match.group("gap"), match.group("right")
    if right.lower() in CONJUNCTIONS:
        return f"{left}- {right}"  # 'Ein- und Ausgang': a truncated compound
    if gap == "\n" and not right[0].islower():
        return f"{left}-{right}"  # 'Jean-\nClaude': the hyphen is real
    if freqs is None:
        return f"{left}{right}" if gap == "\n" else match.group()
    joined = freqs.get((left + right).lower(), 0.0)
    f_left = freqs.get(left.lower(), 0.0)
    f_right = freqs.get(right.lower(), 0.0)
    if gap == "\n":
        if f_left >= _RARE and f_right >= _RARE and joined < min(f_left, f_right) / 100:
            return f"{left}-{right}"  # 'well-\nknown': two words, no joined word
        return f"{left}{right}"
    if not right[0].islower():
        return match.group()
    if joined >= _KNOWN and joined >= min(f_left, f_right):
        return f"{left}{right}"  # 'empfe- hlen' -> 'empfehlen'
    if f_left < _RARE and f_right < _RARE and len(left) > 1 and len(right) > 1:
        return f"{left}{right}"  # neither half is a word: a broken long word
    return match.group()


def fix_hyphenation(text: str, lang: str | None = None) -> str:
    """Rejoin hyphenated word halves and drop soft hyphens; see the module docstring.

    >>> fix_hyphenation("il pro-\\ngetto di Jean-\\nClaude, Ein- und Ausgang")
    'il progetto di Jean-Claude, Ein- und Ausgang'
    >>> fix_hyphenation("Absolut zu empfe- hlen, mittel- und langfristig", "de")
    'Absolut zu empfehlen, mittel- und langfristig'
    >>> fix_hyphenation("sujets- de la campagne, well-\\nknown", "en")
    'sujets- de la campagne, well-known'
    """
    text = remove_soft_hyphens(text)
    if "-\n" not in text and "- " not in text:
        return text
    freqs = _cache.word_frequencies(lang) if lang else None
    return _BREAK_RE.sub(lambda m: _rejoin(m, freqs), text)
