"""Repair scraped text: stray tags, entities, mojibake, spacing, glued words...

``clean(text, lang)`` returns the repaired text; ``explain(...)`` also says
what changed, which language was used and which steps were skipped.  Neither
raises on any ``str``, and correct text comes back unchanged.
"""

from __future__ import annotations

import logging

from cleaners._cache import prepare_data
from cleaners.config import CleanerConfig
from cleaners.language import detect_language
from cleaners.pipeline import Change, Explanation, SkippedStep, is_supported_language
from cleaners.pipeline import run as _run

__all__ = [
    "Change",
    "CleanerConfig",
    "Explanation",
    "SkippedStep",
    "clean",
    "detect_language",
    "explain",
    "is_supported_language",
    "prepare_data",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())

_DEFAULT_CONFIG = CleanerConfig()


def clean(
    text: str,
    lang: str | None = None,
    *,
    title: str | None = None,
    config: CleanerConfig | None = None,
) -> str:
    """Return ``text`` repaired; correct text comes back unchanged.

    ``lang`` is an ISO 639-1 code (``"it"``, ``"pt-BR"`` works too); when it
    is None the language is detected, and when it is unknown or unsupported
    only the language-independent steps run.  ``title``, the page title, lets
    a repeated copy of it be dropped.

    >>> clean("Questo è stato riferito al Cremlino .\\n\\np>\\n\\nLeave a Reply", "it")
    'Questo è stato riferito al Cremlino.'
    """
    return _run(text, lang, title=title, config=config or _DEFAULT_CONFIG).text


def explain(
    text: str,
    lang: str | None = None,
    *,
    title: str | None = None,
    config: CleanerConfig | None = None,
) -> Explanation:
    """Clean ``text`` like :func:`clean` and say how: changes, language, skipped steps.

    >>> result = explain("Il Cremlino .", "it")
    >>> result.text, [c.to_dict() for c in result.changes]
    ('Il Cremlino.', [{'step': 'punctuation', 'old': ' ', 'new': '', 'position': 11, 'round': 1}])
    """
    return _run(text, lang, title=title, config=config or _DEFAULT_CONFIG, record=True)
