"""THE CACHE: the cleaners' only process-wide state, built lazily and read-only after.

Two expensive objects are worth keeping for the life of the process: the
py3langid model (about 1.5 s to load) and wordfreq's per-language frequency
tables (0.1-0.3 s each; wordfreq caches them itself, we only map codes).  Both
are created on first use, never at import time, and never mutated afterwards,
so sharing them between threads is safe.  Nothing else in ``cleaners`` keeps
state between calls.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from cleaners.chardata import WORDFREQ_CODES

__all__ = ["accented_letters", "language_identifier", "word_frequencies"]

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
