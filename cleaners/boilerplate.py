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
    BOILERPLATE_SENTENCE_KEYS_RE,
    BOILERPLATE_SENTENCE_RE,
    BOILERPLATE_TRIGGERS,
    BOILERPLATE_VOCAB,
    BREADCRUMB_RE,
    COUNTER_LINE_RE,
    CREDIT_LINE_RE,
    HOME_WORDS,
    LIST_ITEM_RE,
    META_LINE_RE,
    NAVIGATION_LINE_RE,
    RELATED_LINE_RE,
    SECTION_WORDS,
    SOCIAL_PREFIXES,
    WIDGET_WORDS,
)

__all__ = ["classify_block", "is_boilerplate", "remove_boilerplate"]

_TOKEN_RE = re.compile(r"[^\W\d_]+")
#: ``str.translate`` table blanking every ASCII character but a letter: in ASCII text
#: the runs of ``_TOKEN_RE`` are then the words ``str.split`` returns.  Letters map to
#: themselves, as a miss would cost a ``LookupError`` inside ``translate``.
_ASCII_NON_LETTERS_BLANKED = {
    code: code if _TOKEN_RE.fullmatch(chr(code)) else ord(" ") for code in range(128)
}
_TERMINAL_MARKS = frozenset(".!?")
_QUOTES_AFTER = "\"'”’»)"
_MAX_CHARS = 300
_MAX_WORDS = 10
_MAX_SENTENCE_WORDS = 40
_MAX_LABEL_WORDS = 3
_TOP_LABEL_BLOCKS = 3
_ALL_VOCAB = BOILERPLATE_TRIGGERS | BOILERPLATE_VOCAB | BOILERPLATE_FUNCTION_WORDS
RELATED = "related"
"""The kind of a 'read also' heading: kept when a list or short items follow it."""


def _terminal(line: str) -> bool:
    """Whether ``line`` ends with a sentence mark (maybe inside quotes or brackets)."""
    return line.rstrip().rstrip(_QUOTES_AFTER)[-1:] in _TERMINAL_MARKS


def _is_content(block: str) -> bool:
    """A real paragraph: long, or a full sentence of some length."""
    if len(block) > _MAX_CHARS:
        return True
    words = block.count(" ") + 1
    return words >= 25 or (words >= 5 and _terminal(block))


def _tokens(lower: str) -> list[str]:
    """The runs of letters of ``lower``: ``_TOKEN_RE.findall(lower)``, faster on ASCII.

    Why: the regex tests each character's Unicode category; ASCII text (most
    lines) is blanked and split in C instead, about ten times faster.

    >>> _tokens("12 comments, l'art_x"), _tokens("2 kommentare für")
    (['comments', 'l', 'art', 'x'], ['kommentare', 'für'])
    """
    if lower.isascii():
        return lower.translate(_ASCII_NON_LETTERS_BLANKED).split()
    return _TOKEN_RE.findall(lower)


def _in_vocab(token: str) -> bool:
    return token in _ALL_VOCAB or token.startswith(SOCIAL_PREFIXES)  # 'Facebooku'


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
    return classify_block(block, edge=edge, top=top) is not None


def classify_block(block: str, *, edge: bool = False, top: bool = False) -> str | None:
    """Return the kind of boilerplate ``block`` is, or None for real text.

    >>> classify_block("Mehr zum Thema"), classify_block("Newsletter abonnieren")
    ('related', 'lexicon')
    """
    line = block.strip()
    if not line or len(line) > _MAX_CHARS:
        return None
    lower = line.lower()
    tokens = _tokens(lower)
    if not tokens:
        return None
    n = len(tokens)
    terminal = _terminal(line)
    if (
        n <= _MAX_SENTENCE_WORDS
        and BOILERPLATE_SENTENCE_KEYS_RE.search(lower)
        and BOILERPLATE_SENTENCE_RE.search(lower)
    ):
        return "sentence" if edge or n <= 25 else None
    if n <= 2 and COUNTER_LINE_RE.match(line) and any(t in BOILERPLATE_TRIGGERS for t in tokens):
        return "counter"  # '12 Comments', 'Kommentare (3)'
    if n <= 10 and META_LINE_RE.match(line) and (edge or line[0] in "©("):
        return "meta"
    if n <= 6 and CREDIT_LINE_RE.match(line):
        return "credit"  # 'Photo: Reuters', 'Bild: dpa'
    if n <= 6 and NAVIGATION_LINE_RE.match(lower) and not terminal:
        return "navigation"
    if BREADCRUMB_RE.match(line) and (
        tokens[0] in HOME_WORDS or all(t in SECTION_WORDS for t in tokens)
    ):
        return "breadcrumb"
    if n > _MAX_WORDS or (terminal and not line.endswith("...")):
        return None
    if RELATED_LINE_RE.match(lower):
        return RELATED
    if all(_in_vocab(t) for t in tokens):
        if any(t in BOILERPLATE_TRIGGERS for t in tokens):
            return "lexicon"
        content_words = [t for t in tokens if t not in BOILERPLATE_FUNCTION_WORDS]
        widget = all(t.startswith(SOCIAL_PREFIXES) or t in WIDGET_WORDS for t in content_words)
        if edge and (len(content_words) >= 2 or (content_words and n <= 2 and widget)):
            return "lexicon"  # 'You may also like', 'Facebook' after the last paragraph
    if top and n <= _MAX_LABEL_WORDS and all(t in SECTION_WORDS for t in tokens):
        return "section"  # 'World News', 'Politik' above the article
    # A label left without its list ('Tags:', 'Themen:') at the end or the start.
    if (
        edge
        and n <= _MAX_LABEL_WORDS
        and line.endswith(":")
        and all(_in_vocab(t) or t in SECTION_WORDS for t in tokens)
    ):
        return "label"
    return None


def remove_boilerplate(text: str) -> str:
    """Remove the blocks :func:`is_boilerplate` classifies; keep everything else.

    >>> remove_boilerplate("World News\\n\\nUn testo vero, con una fine.\\n\\nLeave a Reply")
    'Un testo vero, con una fine.'
    """
    separator = "\n\n" if "\n\n" in text else "\n"
    blocks = text.split(separator)
    content = [
        i
        for i, b in enumerate(blocks)
        if _is_content(b) and (len(b) > _MAX_CHARS or not is_boilerplate(b))
    ]
    # Without a real paragraph there are no edges: a title or a snippet is not furniture.
    first = content[0] if content else -1
    last = content[-1] if content else len(blocks)
    content_set = set(content)
    kinds: list[str | None] = []
    for i, block in enumerate(blocks):
        kind = None
        if len(block) <= _MAX_CHARS and i not in content_set:
            edge = i < first or i > last
            top = bool(content) and (
                i < first or (i < _TOP_LABEL_BLOCKS and sum(1 for c in content if c < i) <= 1)
            )
            kind = classify_block(block, edge=edge, top=top)
        kinds.append(kind)
    # A 'see also' heading over a list or short items introduces them: keep it.
    for i, kind in enumerate(kinds):
        if kind == RELATED:
            after = next(
                (j for j in range(i + 1, len(blocks)) if blocks[j].strip() and not kinds[j]),
                None,
            )
            if after is not None and (
                LIST_ITEM_RE.match(blocks[after]) or len(blocks[after].split()) < 12
            ):
                kinds[i] = None
    kept = [b for b, kind in zip(blocks, kinds, strict=True) if kind is None]
    if len(kept) == len(blocks):
        return text
    return separator.join(kept)
