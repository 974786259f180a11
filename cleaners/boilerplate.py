"""Drop boilerplate lines: share, related, comments, newsletter, cookies, ads, navigation.

Extractors let page furniture through as short paragraphs: ``Share on
Facebook``, ``Leave a Reply``, ``Newsletter abonnieren``, ``Advertisement``,
``Home > News > World``, a section label such as ``World News`` above the
title.  The rules are general, not a list of one site's strings:

* a short line made only of boilerplate vocabulary (many languages, in
  :mod:`cleaners.chardata`) with at least one trigger word (share, comments,
  newsletter, cookies, advertisement...) is boilerplate anywhere;
* at the top or bottom edge of the text (before the first or after the last
  real paragraph) a short line made only of that vocabulary is enough, and so
  are a breadcrumb, a status line (``Updated 3 hours ago``), a section label
  and a dangling label (``Tags:``);
* a few boilerplate sentences (cookie notices, ``Your email address will not
  be published``, ``All rights reserved``) are matched by phrase patterns.

Only whole blocks are removed; a real paragraph is never touched.
"""

from __future__ import annotations

import re

from cleaners.chardata import (
    BOILERPLATE_FUNCTION_WORDS,
    BOILERPLATE_SENTENCE_RE,
    BOILERPLATE_TRIGGERS,
    BOILERPLATE_VOCAB,
    BREADCRUMB_RE,
    COUNTER_LINE_RE,
    META_LINE_RE,
    RELATED_LINE_RE,
    SECTION_WORDS,
)

__all__ = ["is_boilerplate", "remove_boilerplate"]

_TOKEN_RE = re.compile(r"[^\W\d_]+")
_TERMINAL_RE = re.compile(r"[.!?][\"'”’»)]*$")
_MAX_CHARS = 300
_MAX_WORDS = 8
_MAX_SENTENCE_WORDS = 40
_MAX_LABEL_WORDS = 3
_TOP_LABEL_BLOCKS = 3
_ALL_VOCAB = BOILERPLATE_TRIGGERS | BOILERPLATE_VOCAB | BOILERPLATE_FUNCTION_WORDS
_HOME_WORDS = frozenset("home start startseite homepage accueil inicio início voorpagina".split())


def _is_content(block: str) -> bool:
    """A real paragraph: long, or a full sentence of some length."""
    words = len(block.split())
    return words >= 25 or (words >= 5 and bool(_TERMINAL_RE.search(block.rstrip())))


def is_boilerplate(block: str, *, edge: bool = False, top: bool = False) -> bool:
    """Tell whether one block (a paragraph or line) is boilerplate.

    ``edge``: the block lies before the first or after the last real
    paragraph; ``top``: it is among the first blocks, where section labels sit.

    >>> is_boilerplate("Auf Facebook teilen"), is_boilerplate("0 Kommentare")
    (True, True)
    >>> is_boilerplate("We share the news with our readers.")
    False
    >>> is_boilerplate("Das könnte Sie auch interessieren", edge=True)
    True
    >>> is_boilerplate("World News", edge=True, top=True), is_boilerplate("World News")
    (True, False)
    """
    line = block.strip()
    if not line or len(line) > _MAX_CHARS:
        return False
    lower = line.lower()
    tokens = _TOKEN_RE.findall(lower)
    if not tokens:
        return False
    n = len(tokens)
    terminal = bool(_TERMINAL_RE.search(line))
    if n <= _MAX_SENTENCE_WORDS and BOILERPLATE_SENTENCE_RE.search(lower):
        return edge or n <= 25
    if n <= 2 and COUNTER_LINE_RE.match(line) and any(t in BOILERPLATE_TRIGGERS for t in tokens):
        return True  # '12 Comments', 'Kommentare (3)'
    if n <= 10 and META_LINE_RE.match(line) and (edge or line[0] in "©("):
        return True
    if BREADCRUMB_RE.match(line) and (
        tokens[0] in _HOME_WORDS or all(t in SECTION_WORDS for t in tokens)
    ):
        return True
    if n > _MAX_WORDS or (terminal and not line.endswith("...")):
        return False
    if RELATED_LINE_RE.match(lower):
        return True
    if all(t in _ALL_VOCAB for t in tokens):
        if any(t in BOILERPLATE_TRIGGERS for t in tokens):
            return True
        content_words = [t for t in tokens if t not in BOILERPLATE_FUNCTION_WORDS]
        if edge and len(content_words) >= 2:
            return True
    if top and n <= _MAX_LABEL_WORDS and all(t in SECTION_WORDS for t in tokens):
        return True  # 'World News', 'Politik' above the article
    return edge and n <= _MAX_LABEL_WORDS + 1 and line.endswith(":") and not terminal


def remove_boilerplate(text: str) -> str:
    """Remove the blocks :func:`is_boilerplate` classifies; keep everything else.

    >>> remove_boilerplate("World News\\n\\nUn testo vero, con parole vere e una fine.\\n\\nLeave a Reply")
    'Un testo vero, con parole vere e una fine.'
    """
    separator = "\n\n" if "\n\n" in text else "\n"
    blocks = text.split(separator)
    content = [i for i, b in enumerate(blocks) if _is_content(b)]
    first = content[0] if content else len(blocks)
    last = content[-1] if content else -1
    kept: list[str] = []
    for i, block in enumerate(blocks):
        if len(block) <= _MAX_CHARS and not (first <= i <= last and _is_content(block)):
            edge = i < first or i > last
            top = i < _TOP_LABEL_BLOCKS and sum(1 for c in content if c < i) <= 1
            if is_boilerplate(block, edge=edge, top=top):
                continue
        kept.append(block)
    if len(kept) == len(blocks):
        return text
    return separator.join(kept)
