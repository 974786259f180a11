"""THE CACHE: the cleaners' only process-wide state, built lazily.

Three expensive objects are worth keeping for the life of the process: the
py3langid model (about 1.5 s to load), wordfreq's per-language frequency
tables (0.1-0.3 s each; wordfreq caches them itself, we only map codes) and
the word splitter's :class:`~cleaners.lexicon.Lexicon` per language (about a
second each: sorted word lists, function words, probe words).  All are created
on first use, never at import time.  The first two are never mutated; a lexicon
also holds memo tables of the splitter's measurements and decisions, which only
ever cache what a pure function returns (so results never depend on what was
cleaned before), are bounded, and are safe to share between threads (a lost
update only costs a recomputation).  Nothing else in ``cleaners`` keeps state
between calls.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from cleaners.chardata import WORDFREQ_CODES
from cleaners.lexicon import Lexicon, build_lexicon
from cleaners.worddata import MAX_LANGUAGES

__all__ = ["accented_letters", "language_identifier", "lexicon", "word_frequencies"]

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def language_identifier() -> Any:  # noqa: ANN401 - py3langid ships no types
    """Return the one py3langid identifier, with probabilities normalised."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    logger.debug("loading the py3langid model")
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@lru_cache(maxsize=64)
def word_frequencies(lang: str) -> dict[str, float] | None:
    """Return wordfreq's word -> frequency table for ``lang``, or None if it has none."""
    import wordfreq

    code = WORDFREQ_CODES.get(lang, lang)
    if code not in wordfreq.available_languages():
        return None
    table: dict[str, float] = wordfreq.get_frequency_dict(code)
    return table


@lru_cache(maxsize=64)
def accented_letters(lang: str) -> str:
    """The non-ASCII letters of ``lang``, most used first, from its 3000 commonest words."""
    import wordfreq

    code = WORDFREQ_CODES.get(lang, lang)
    if code not in wordfreq.available_languages():
        return ""
    counts: dict[str, int] = {}
    for word in wordfreq.top_n_list(code, 3000):
        for char in word:
            if not char.isascii() and char.isalpha():
                counts[char] = counts.get(char, 0) + 1
    return "".join(sorted(counts, key=lambda c: -counts[c])[:40])


@lru_cache(maxsize=MAX_LANGUAGES)
def lexicon(code: str) -> Lexicon:
    """Return the word splitter's knowledge of wordfreq language ``code``, built once."""
    logger.debug("building the word lexicon for %s", code)
    return build_lexicon(code)
