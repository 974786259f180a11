"""Decode HTML entities that survived extraction (``&nbsp;``, ``&amp;amp;``, ``&#228;``).

Scrapers that unescape once, or escape twice, leave entity references in the
text: ``sp&auml;t``, ``Caf&amp;eacute;``, ``&#8220;quoted&#8221;``.  Only
complete, known references are decoded; ``AT&T``, ``Q&A`` and ``&`` stay.
"""

from __future__ import annotations

import html
import re
import unicodedata

from cleaners.chardata import ENTITY_RE

__all__ = ["fix_entities"]


def _decode(match: re.Match[str]) -> str:
    ref = "&" + match.group(1)
    decoded = html.unescape(ref)
    if decoded == ref or not decoded:
        return match.group(0)  # not an entity we know: leave the text alone
    if any(unicodedata.category(ch) in ("Cc", "Cs", "Cn") for ch in decoded) or "\ufffd" in decoded:
        return match.group(0)  # &#0; or &#xD800; would put garbage in the text
    return decoded


def fix_entities(text: str) -> str:
    """Replace leftover HTML entity references with the characters they stand for.

    Double escapes (``&amp;auml;``) are decoded in one go, so the step is
    idempotent; unknown names and references to control characters stay.

    >>> fix_entities("sp&auml;t, Caf&amp;eacute; &#8220;ok&#8221; AT&T &amp; Q&A&nbsp;x")
    'spät, Café “ok” AT&T & Q&A\\xa0x'
    >>> fix_entities("&bogus; &#0; &#38;lt;")
    '&bogus; &#0; <'
    """
    # A decoded '&' can start a new reference (``&#38;lt;``): repeat until stable.
    for _ in range(4):
        if "&" not in text:
            break
        fixed = ENTITY_RE.sub(_decode, text)
        if fixed == text:
            break
        text = fixed
    return text
