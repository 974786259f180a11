"""THE CACHE: the cleaners' only process-wide state, built lazily.

Three expensive objects are worth keeping for the life of the process: the
py3langid model (decompressed once per machine, then memory-mapped, and its
faster exact classifier :class:`~cleaners.langscan.FastClassifier` over the
same arrays),
wordfreq's per-language frequency tables as memory-mapped
:class:`~cleaners.wordindex.WordIndex` tries (built once per machine into a
disk cache, then a millisecond to open) and the word
splitter's :class:`~cleaners.lexicon.Lexicon` per language (function words,
probe words and memo tables).  All are created
on first use, never at import time.  The first two are never mutated; a lexicon
also holds memo tables of the splitter's measurements and decisions, which only
ever cache what a pure function returns (so results never depend on what was
cleaned before), are bounded, and are safe to share between threads (a lost
update only costs a recomputation).  The fast classifier likewise keeps the
float32 rows of the model's features it has met (exact conversions of the
float16 table, at most 57 MB if every feature of every language is met, a few
MB for a crawl in a few languages), converted under a lock.  Nothing else in
``cleaners`` keeps state between calls.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from cleaners.chardata import WORDFREQ_CODES
from cleaners.langscan import FastClassifier
from cleaners.lexicon import Lexicon, build_lexicon
from cleaners.worddata import MAX_LANGUAGES
from cleaners.wordindex import WordIndex, load_index

__all__ = [
    "accented_letters",
    "language_classifier",
    "language_identifier",
    "lexicon",
    "prepare_data",
    "word_frequencies",
    "word_index",
]

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def language_identifier() -> Any:  # noqa: ANN401 - py3langid ships no types
    """Return the one py3langid identifier, with probabilities normalised."""
    from cleaners.langmodel import load_identifier

    logger.debug("loading the py3langid model")
    return load_identifier()


@lru_cache(maxsize=1)
def language_classifier() -> FastClassifier:
    """Return the faster exact ``classify`` over the one identifier's arrays (no copy)."""
    return FastClassifier(language_identifier())


@lru_cache(maxsize=64)
def word_index(code: str) -> WordIndex:
    """Return wordfreq's table for wordfreq language ``code`` (one of its codes)."""
    return load_index(code)


@lru_cache(maxsize=64)
def word_frequencies(lang: str) -> WordIndex | None:
    """Return wordfreq's word -> frequency table for ``lang``, or None if it has none."""
    import wordfreq

    code = WORDFREQ_CODES.get(lang, lang)
    if code not in wordfreq.available_languages():
        return None
    return word_index(code)


@lru_cache(maxsize=64)
def accented_letters(lang: str) -> str:
    """The non-ASCII letters of ``lang``, most used first, from its 3000 commonest words."""
    table = word_frequencies(lang)
    if table is None:
        return ""
    counts: dict[str, int] = {}
    for word in table.top:
        for char in word:
            if not char.isascii() and char.isalpha():
                counts[char] = counts.get(char, 0) + 1
    return "".join(sorted(counts, key=lambda c: -counts[c])[:40])


@lru_cache(maxsize=MAX_LANGUAGES)
def lexicon(code: str) -> Lexicon:
    """Return the word splitter's knowledge of wordfreq language ``code``, built once."""
    logger.debug("building the word lexicon for %s", code)
    return build_lexicon(code)


def prepare_data(languages: Iterable[str] | None = None) -> list[str]:
    """Build the data cache now rather than on first use: the language model and
    the word index of each of ``languages`` (ISO codes; default: every language
    wordfreq has).  Returns the wordfreq codes prepared; unknown languages are
    skipped.  Quick when the cache is already built (each index is only opened).
    """
    import wordfreq

    language_classifier()
    wanted = wordfreq.available_languages() if languages is None else languages
    codes = sorted({WORDFREQ_CODES.get(lang, lang) for lang in wanted})
    done = []
    for code in codes:
        if word_frequencies(code) is not None:
            done.append(code)
    return done
