"""Repair scraped text: stray tags, entities, mojibake, spacing, glued words...

``clean(text, lang)`` returns the repaired text; ``explain(...)`` says what
changed.  Neither raises on any ``str``.
"""

from __future__ import annotations

import logging

from cleaners.config import CleanerConfig

__all__ = ["CleanerConfig", "clean"]

logging.getLogger(__name__).addHandler(logging.NullHandler())


def clean(
    text: str,
    lang: str | None = None,
    *,
    title: str | None = None,
    config: CleanerConfig | None = None,
) -> str:
    """Return ``text`` repaired; correct text comes back unchanged."""
    # The seam only, for now: the steps land with the cleaners issue.
    del lang, title, config
    return text
