"""Rejoin lines and paragraphs that layout broke in the middle of a sentence.

Extractors keep the hard line wraps of the source (``...your goal\\nwas to
build...``) and turn a ``<br>`` or a tag between two halves of a sentence into
a paragraph break (``...per il Cremlino\\n\\nsoprattutto in considerazione``).
A break is removed only where the text says the sentence goes on: the line
before has no closing punctuation and the next starts in lower case.  Lists,
headings followed by their items, and brand names (``iPhone``) stay apart.  A
text whose author starts paragraphs in lower case anyway (informal reviews,
comments) gives a lower-case start little weight: there a long last sentence
that only lacks its period is a finished paragraph, unless it ends on a comma
or a word that cannot end a sentence.
"""

from __future__ import annotations

import itertools
import re

from cleaners.chardata import ARTICLES_AND_PREPOSITIONS, DANGLING_WORDS, LIST_ITEM_RE

__all__ = ["join_broken_lines", "join_broken_paragraphs"]

_BLANK_RE = re.compile(r"\n[ \t]*\n")
#: Lines of verse, addresses and lists are short; wrapped prose lines are not.
_SHORT_LINE = 40
_CLOSING_MARKS = frozenset(".!?…:;»”\"')]")
_WORD_RE = re.compile(r"[^\W\d_]+")
_SENTENCE_END_RE = re.compile(r"[.!?…]+\s")
#: A sentence this long that only lacks its final period is complete.
_LONG_SENTENCE = 20


def join_broken_lines(text: str) -> str:
    r"""Join hard-wrapped lines inside paragraphs, when paragraphs are separated by blank lines.

    In such text a single line break is layout, not structure; lines that
    start a list item keep their break.  Text without blank lines uses single
    breaks between paragraphs and is left to :func:`join_broken_paragraphs`.

    >>> join_broken_lines("Our goal\nwas to build a treehouse you really like:\n- one\n\nNext.")
    'Our goal was to build a treehouse you really like:\n- one\n\nNext.'
    >>> join_broken_lines("One paragraph.\nAnother one.\nA third.")
    'One paragraph.\nAnother one.\nA third.'
    >>> lines = [
    ...     "Prose that was wrapped at a fixed width of",
    ...     "forty characters or more, and so on, over",
    ...     "a few lines.",
    ... ]
    >>> join_broken_lines("\n".join(lines)) == " ".join(lines)
    True
    >>> join_broken_lines("Roses are red\nViolets are blue\nSugar is sweet")
    'Roses are red\nViolets are blue\nSugar is sweet'
    """
    if "\n" not in text:
        return text
    if not _BLANK_RE.search(text):
        return _join_wrapped(text)
    parts = re.split(r"(\n[ \t]*\n+)", text)
    for i in range(0, len(parts), 2):
        block = parts[i]
        if "\n" not in block:
            continue
        lines = block.split("\n")
        if len(lines) >= 3 and all(len(line) < _SHORT_LINE for line in lines):
            continue  # verse, an address, a list of short lines: the breaks are the layout
        out = [lines[0]]
        for line in lines[1:]:
            if LIST_ITEM_RE.match(line) or not line.strip() or not out[-1].strip():
                out.append(line)
            else:
                out[-1] = out[-1].rstrip() + " " + line.lstrip()
        parts[i] = "\n".join(out)
    return "".join(parts)


def _closed(block: str) -> bool:
    """Whether ``block`` ends with a mark that closes a sentence or a quotation."""
    return block.rstrip()[-1:] in _CLOSING_MARKS


def _join_wrapped(text: str) -> str:
    """Join the lines of text without blank lines when most lines stop mid-sentence.

    Such text was wrapped at a fixed width; text whose lines mostly end a
    sentence uses single line breaks between paragraphs and keeps them.
    """
    lines = text.split("\n")
    ends = [line.rstrip() for line in lines[:-1] if line.strip()]
    if len(ends) < 2 or sum(1 for end in ends if not _closed(end)) * 2 <= len(ends):
        return text
    if sorted(len(end) for end in ends)[len(ends) // 2] < _SHORT_LINE:
        return text  # short lines: verse or an address, not prose wrapped at a width
    out = [lines[0]]
    for line in lines[1:]:
        if LIST_ITEM_RE.match(line) or not line.strip() or not out[-1].strip():
            out.append(line)
        else:
            out[-1] = out[-1].rstrip() + " " + line.lstrip()
    return "\n".join(out)


def _heading_like(block: str) -> bool:
    return not _closed(block) and len(block.split()) <= 8


def _continues(prev: str, block: str, lower_starts: bool = False) -> bool:
    """Tell whether ``block`` is the rest of the sentence that ``prev`` leaves open.

    ``lower_starts``: the text starts paragraphs in lower case after a closed one, so
    a lower-case start is no sign that a long sentence goes on.
    """
    last = prev[-1:]
    if not (last == "," or (last.isalnum() and last != "_")):
        return False  # tested first: most paragraphs end with a mark, and this is cheap
    if LIST_ITEM_RE.match(block):
        return False
    first = _WORD_RE.match(block.lstrip("\"'“„«"))
    if first is None or first.start() != 0:
        return False
    last_token = prev.rsplit(None, 1)[-1].lower()
    if last_token in ARTICLES_AND_PREPOSITIONS:
        return True  # 'mich bei\n\nHerrn Klimmet': an article or preposition ends nothing
    if not first.group()[0].islower() or any(c.isupper() for c in first.group()[1:]):
        return False  # a capital starts a new sentence; 'iPhone', 'eBay' are names
    dangling = prev.endswith(",") or last_token in DANGLING_WORDS
    if dangling:
        return True
    if lower_starts and len(_SENTENCE_END_RE.split(prev)[-1].split()) >= _LONG_SENTENCE:
        return False
    if first.group().lower() in DANGLING_WORDS:
        return True
    # Two short unpunctuated blocks in a row are a list or a heading and its item.
    return not (_heading_like(block) and len(prev.split()) <= 14)


def _starts_lower_after_end(blocks: list[str]) -> bool:
    """Whether most blocks that follow a closed block start in lower case all the same."""
    lower = closed = 0
    for prev, block in itertools.pairwise(blocks):
        first = _WORD_RE.match(block.lstrip().lstrip("\"'“„«"))
        if first is not None and _closed(prev):
            closed += 1
            lower += first.group()[0].islower()
    return lower > 0 and 2 * lower >= closed


def join_broken_paragraphs(text: str) -> str:
    r"""Join a paragraph to the next when a break cut one sentence in two.

    >>> join_broken_paragraphs("Un alleato per il Cremlino\n\nsoprattutto in considerazione.")
    'Un alleato per il Cremlino soprattutto in considerazione.'
    >>> join_broken_paragraphs("Troubles cardiaques\n\nbradycardie\n\niPhone owners wait.")
    'Troubles cardiaques\n\nbradycardie\n\niPhone owners wait.'
    >>> join_broken_paragraphs("Putin e Kim Jong-un\n\nLa Corea del Nord e la Russia.")
    'Putin e Kim Jong-un\n\nLa Corea del Nord e la Russia.'
    >>> long = "Wir haben dort zwei sehr schöne Wochen mit vielen netten Leuten und so gutem"
    >>> text = long + " Essen im Hotel am See verbracht\n\nbei uns war es toll...\n\nnette leute."
    >>> join_broken_paragraphs(text) == text
    True
    """
    separator = "\n\n" if "\n\n" in text else "\n"
    if separator not in text:
        return text
    blocks = text.split(separator)
    lower_starts = _starts_lower_after_end(blocks)
    # A join can make the block before continue too ('x\n\ny\n\nz.'): repeat until stable.
    while True:
        out = [blocks[0]]
        for block in blocks[1:]:
            prev = out[-1]
            if (
                prev.strip()
                and block.strip()
                and _continues(prev.rstrip(), block.lstrip(), lower_starts)
            ):
                out[-1] = prev.rstrip() + " " + block.lstrip()
            else:
                out.append(block)
        if len(out) == len(blocks):
            break
        blocks = out
    return separator.join(blocks)
