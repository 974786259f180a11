"""Drop duplicated paragraphs, headings and a repeated title.

Extractors pick up the same block twice: a heading that a broken tag
repeated, a lead paragraph shown as teaser and as text, the title at the top
of the body.  Copies are compared after case, whitespace and punctuation are
folded away, so ``settimana – dichiarazione`` and ``settimana –dichiarazione``
are one block.  The first copy stays, except that a copy broken in two
paragraphs gives way to the whole copy next to it.  A short block (a heading, a
list item) that repeats further down is kept: documents legitimately repeat
section names; only a block repeated right after itself, or a real sentence, goes.
"""

from __future__ import annotations

import re

__all__ = ["block_key", "remove_duplicates"]

_NON_ALNUM_RE = re.compile(r"[\W_]+")
#: ``bytes.translate`` tables that do to ASCII what ``block_key`` does to any text.
_ASCII_LOWER = bytes(range(256)).lower()
_ASCII_NON_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())
_SENTENCE_MARKS = frozenset(".!?…")
_QUOTES_AFTER = "\"'”’»)]"
_MIN_KEY = 3
_MIN_FAR_KEY = 12
_MIN_FAR_WORDS = 8
_PREFIX_MIN_WORDS = 3
#: A copy of a sentence further than this many blocks from the first one is a
#: repetition the author made (an interview question asked of each guest, one
#: line of a plan repeated per day) unless it is long: scrapers duplicate
#: blocks next to themselves or a few blocks on, and repeat long pull quotes.
_NEAR_BLOCKS = 5
_MIN_FAR_LONG_WORDS = 20


def block_key(block: str) -> str:
    """Fold a block to its letters and digits, lower case: the identity of a copy.

    >>> block_key("Putin visiterà – dichiarazione") == block_key("putin visiterà –dichiarazione!")
    True
    """
    if block.isascii():
        # One C-level pass: ASCII case-folds to lower case, and every ASCII character
        # but a letter or digit (whitespace and ``_`` included) is what the regex drops.
        return block.encode("ascii").translate(_ASCII_LOWER, _ASCII_NON_ALNUM).decode("ascii")
    folded = "".join(block.casefold().split())  # whitespace first: quicker in C
    if folded.isalnum():
        return folded
    return _NON_ALNUM_RE.sub("", folded)


def _ends_sentence(block: str) -> bool:
    return block.rstrip().rstrip(_QUOTES_AFTER)[-1:] in _SENTENCE_MARKS


def _sentence_like(block: str) -> bool:
    return _ends_sentence(block) or len(block.split()) >= _MIN_FAR_WORDS


def _strip_key_prefix(block: str, key: str) -> str:
    """Return ``block`` without the leading characters that spell ``key``."""
    count = 0
    for i, char in enumerate(block):
        if count == len(key):
            return block[i:].lstrip(" \t:–—-|.")
        if block_key(char):
            count += len(block_key(char))
    return ""


def remove_duplicates(text: str, title: str | None = None) -> str:
    """Drop later copies of a block; see the module docstring for what counts.

    ``title``, when given, is the page title: a block equal to it is a copy
    of the title, kept once (the first, best-formed one) wherever it appears.

    >>> text = "Titolo del pezzo\\n\\nWorld\\n\\nTitolo del  pezzo\\n\\nTesto."
    >>> remove_duplicates(text) == text
    True
    >>> remove_duplicates(text, title="Titolo del pezzo")
    'Titolo del pezzo\\n\\nWorld\\n\\nTesto.'
    >>> remove_duplicates("Heading\\n\\nHeading\\n\\nA sentence, said.\\n\\nA sentence, said.")
    'Heading\\n\\nA sentence, said.'
    >>> remove_duplicates("Sources\\n\\nText one.\\n\\nSources")
    'Sources\\n\\nText one.\\n\\nSources'
    >>> remove_duplicates("Es war ein\\n\\nschöner Tag.\\n\\nEs war ein schöner Tag.")
    'Es war ein schöner Tag.'
    >>> qa = "What do you read?\\n\\nNovels.\\n\\nAnd films?\\n\\nNone.\\n\\nAnd music?\\n\\nJazz."
    >>> guests = "\\n\\n".join(f"Guest {n}\\n\\n{qa}" for n in (1, 2))
    >>> remove_duplicates(guests) == guests  # a question asked of each guest stays
    True
    """
    separator = "\n\n" if "\n\n" in text else "\n"
    if separator not in text:
        return text
    blocks = text.split(separator)
    title_key = block_key(title) if title else ""
    seen: dict[str, int] = {}  # block key -> how many blocks were kept before it
    out: list[str] = []
    keys: list[str] = []
    title_seen = False
    for block in blocks:
        key = block_key(block)
        if len(key) < _MIN_KEY:
            out.append(block)
            keys.append(key)
            continue
        if len(keys) >= 2 and min(map(len, keys[-2:])) >= _MIN_KEY and _joins(key, *keys[-2:]):
            # The block in two pieces, then whole: the whole copy stays, the pieces go.
            for _ in range(2):
                seen.pop(keys.pop(), None)
                out.pop()
        if title_key and key == title_key:
            if title_seen:
                continue
            title_seen = True
        elif keys and key == keys[-1]:
            continue  # the same block twice in a row
        elif len(keys) >= 2 and len(keys[-1]) >= _MIN_KEY and _joins(keys[-2], keys[-1], key):
            # The block whole, then in two pieces: the pieces go.
            seen.pop(keys.pop(), None)
            out.pop()
            continue
        elif (
            key in seen
            and len(key) >= _MIN_FAR_KEY
            and _sentence_like(block)
            and (len(keys) - seen[key] <= _NEAR_BLOCKS or len(block.split()) >= _MIN_FAR_LONG_WORDS)
        ):
            continue  # a sentence or paragraph seen a few blocks before, or a long one
        elif keys and _is_heading_repeated_in(keys[-1], out[-1], key):
            rest = _strip_key_prefix(block, keys[-1])
            if rest[:1].islower():
                # 'Heading' + 'Heading goes on...': the heading was the sentence start.
                seen.pop(keys[-1], None)
                out[-1], keys[-1] = block, key
                seen[key] = len(keys) - 1
                continue
            block, key = rest, block_key(rest)
        seen[key] = len(keys)
        out.append(block)
        keys.append(key)
    if len(out) == len(blocks) and all(a is b for a, b in zip(out, blocks, strict=True)):
        return text
    return separator.join(out)


def _joins(whole: str, first: str, second: str) -> bool:
    """Tell whether ``whole == first + second``, without building ``first + second``.

    Why: it runs for every block, on keys of whole paragraphs; the lengths rule
    out almost every case at once.

    >>> _joins("abcd", "ab", "cd"), _joins("abcd", "ab", "c"), _joins("abcd", "ab", "dd")
    (True, False, False)
    """
    return (
        len(whole) == len(first) + len(second)
        and whole.startswith(first)
        and whole.endswith(second)
    )


def _is_heading_repeated_in(prev_key: str, prev: str, key: str) -> bool:
    """Tell whether a block starts with the whole heading just before it."""
    # The cheap, seldom true tests first: this runs for every block.
    return (
        len(key) > len(prev_key) >= _MIN_FAR_KEY // 2
        and key.startswith(prev_key)
        and len(prev.split()) >= _PREFIX_MIN_WORDS
        and not _ends_sentence(prev)
    )
