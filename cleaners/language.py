"""Language codes: normalise what callers pass, detect what they did not.

Detection uses py3langid on the first ~2000 characters, and is trusted only
when the text has enough letters and the model is confident: a wrong language
would let the word splitter and the punctuation rules do harm, while no
language only makes the pipeline fall back to its language-independent steps.
"""

from __future__ import annotations

import itertools
import logging
import re

from cleaners import _cache
from cleaners.chardata import LANG_ALIASES

__all__ = ["detect_language", "normalize_lang"]

logger = logging.getLogger(__name__)

_SAMPLE_CHARS = 2000
_LETTER_RE = re.compile(r"[^\W\d_]")
_CODE_RE = re.compile(r"[a-z]{2,3}")


def normalize_lang(lang: str | None) -> str | None:
    """Return the ISO 639-1 code for a language tag, or None if it is not one.

    Callers pass ``"IT"``, ``"pt-BR"``, ``"de_DE"`` or ``"deu"``; the steps want
    ``"it"``, ``"pt"``, ``"de"``.  Anything else (empty, ``"xx-1"``) is None.

    >>> normalize_lang("pt-BR"), normalize_lang("DEU"), normalize_lang("klingon")
    ('pt', 'de', None)
    """
    if not lang:
        return None
    primary = re.split(r"[-_.@\s]", lang.strip().lower(), maxsplit=1)[0]
    primary = LANG_ALIASES.get(primary, primary)
    if len(primary) == 2 and _CODE_RE.fullmatch(primary):
        return primary
    return None


def _has_letters(text: str, count: int) -> bool:
    """Whether ``text`` holds at least ``count`` letters: reads only as far as the last one.

    Why not ``len(findall(...)) >= count``: that makes a string of every
    letter of the sample, when the first few dozen settle it.

    >>> _has_letters("a1 b2 c3", 3), _has_letters("a1 b2 c3", 4), _has_letters("", 0)
    (True, False, True)
    """
    return sum(1 for _ in itertools.islice(_LETTER_RE.finditer(text), count)) >= count


def detect_language(text: str, *, min_confidence: float = 0.8, min_letters: int = 40) -> str | None:
    """Return the ISO 639-1 code of ``text``'s language, or None when unsure.

    Only the first ~2000 characters are read (enough for a confident guess,
    and it keeps detection under a millisecond).  Short texts and low
    confidence return None rather than a guess.

    >>> detect_language("Il presidente russo arriverà in visita ufficiale in Corea del Nord.")
    'it'
    >>> detect_language("OK") is None
    True
    """
    sample = text[:_SAMPLE_CHARS]
    if not _has_letters(sample, min_letters):
        return None
    code, confidence = _cache.language_classifier().classify(sample)
    logger.debug("detected %s (%.3f)", code, confidence)
    if confidence < min_confidence:
        return None
    return normalize_lang(str(code))
