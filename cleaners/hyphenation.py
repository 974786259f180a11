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
from cleaners.wordindex import WordIndex

__all__ = ["fix_hyphenation", "remove_soft_hyphens"]

# Found from the hyphen (a literal the regex engine can skip to), then widened by hand.
_GAP_RE = re.compile(r"-(?:\n|[ ])(?=[^\W\d_])")
_LEFT_RE = re.compile(r"[^\W\d_]+$")
_RIGHT_RE = re.compile(r"[^\W\d_]+")

#: A joined word rarer than this is not evidence; fragments rarer than RARE are non-words.
_KNOWN = 1e-8
_RARE = 1e-7
#: A joined word this common is a word whatever its halves are ('home- land').
_COMMON = 1e-7
#: Halves both rarer than this are pieces of one word ('Melatoninkonzentra- tion').
_PIECE = 1e-6


def remove_soft_hyphens(text: str) -> str:
    """Delete soft hyphens (U+00AD): invisible on the page, they split words for programs.

    >>> remove_soft_hyphens("villa\\xadges")
    'villages'
    """
    return text.replace("\xad", "") if "\xad" in text else text


def _rejoin(left: str, gap: str, right: str, freqs: WordIndex | None) -> str:
    """Return what ``left`` + '-' + ``gap`` + ``right`` should become."""
    original = f"{left}-{gap}{right}"
    if right.lower() in CONJUNCTIONS:
        return f"{left}- {right}"  # 'Ein- und Ausgang': a truncated compound
    if gap == "\n" and not right[0].islower():
        return f"{left}-{right}"  # 'Jean-\nClaude': the hyphen is real
    if freqs is None:
        return f"{left}{right}" if gap == "\n" else original
    joined = freqs.get((left + right).lower(), 0.0)
    f_left = freqs.get(left.lower(), 0.0)
    f_right = freqs.get(right.lower(), 0.0)
    if gap == "\n":
        if f_left >= _RARE and f_right >= _RARE and joined < min(f_left, f_right) / 100:
            return f"{left}-{right}"  # 'well-\nknown': two words, no joined word
        return f"{left}{right}"
    if not right[0].islower():
        return original
    if joined >= _COMMON or (joined >= _KNOWN and joined >= min(f_left, f_right)):
        return f"{left}{right}"  # 'empfe- hlen' -> 'empfehlen', 'home- land' -> 'homeland'
    if f_left < _PIECE and f_right < _PIECE and len(left) > 1 and len(right) > 1:
        return f"{left}{right}"  # neither half is a word: a broken long word
    return original


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
    if not _GAP_RE.search(text):
        return text  # one scan from the rare '-': no gap, nothing for _rejoin_gaps to do
    return _rejoin_gaps(text, lang)


def _rejoin_gaps(text: str, lang: str | None) -> str:
    """Rejoin the word halves at each ``_GAP_RE`` gap of ``text`` (see ``_rejoin``)."""
    freqs = _cache.word_frequencies(lang) if lang else None
    out: list[str] = []
    last = 0
    for gap in _GAP_RE.finditer(text):
        if gap.start() < last:
            continue
        left_match = _LEFT_RE.search(text, max(last, gap.start() - 60), gap.start())
        if left_match is None:
            continue
        begin = left_match.start()
        if begin and (text[begin - 1].isalnum() or text[begin - 1] in "-_"):
            continue  # 'x2-\n', 'Jean-Claude- x': not a simple word half
        right_match = _RIGHT_RE.match(text, gap.end())
        if right_match is None:
            continue
        left, right = left_match.group(), right_match.group()
        out.append(text[last:begin])
        out.append(_rejoin(left, gap.group()[1], right, freqs))
        last = right_match.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
