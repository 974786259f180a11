"""Dates printed in the article's header: next to the headline and in the byline.

Why a module of its own: many templates print the publication date only as
text ("Jun 8, 2023", "Last updated: 8 June 2023", "Pubblicato il 18 giugno
2024") in the block around the headline, with no markup that says it is a
date.  Readers take that line as the article's date, and so do the
references we score against: on the WCXB pages the visible header date is
right more often than a JSON-LD ``datePublished`` that disagrees with it.

Only the header is read, never the body at large: the text just after the
headline (:data:`_AFTER` characters, or :data:`_AFTER_LABELLED` when a label
such as "Published" or "Updated" says what the date is), the text just
before it within its own block (a kicker or a dateline above the title),
and the short line that holds the author's byline.  Dates in menus,
comments, related-article lists, sidebars and footers do not count, nor
dates labelled as something else ("Joined", "Last post", "Sale ends"), and
a header that shows three different dates is a listing, not an article.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from selectolax.lexbor import LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.dates import ParsedDate, find_date, parse_date
from scraper.extraction.scan import ancestors, foreign_marks, region
from scraper.extraction.strings import WS

__all__ = ["HeaderDates", "byline_date", "header_dates"]

#: Characters of text read after the headline for an unlabelled date.
_AFTER = 300
#: ... and for a date with a label ("Posted on", "Updated").
_AFTER_LABELLED = 1000
#: Characters of text read before the headline, inside its own block.
_BEFORE = 150
#: How many levels above the headline that block may start.
_BEFORE_LEVELS = 2
#: A text longer than this is a sentence, not a dateline (unless it opens
#: with a byline or a date label, "By Jane Doe and John Roe, June 8, 2023").
_SHORT = 60
#: Text nodes looked at on each side, at most (a cap on the walk's cost).
_MAX_TEXTS = 40
#: Elements whose text is never shown as such.
_HIDDEN = frozenset(
    {"script", "style", "noscript", "template", "textarea", "option", "select", "head"}
)
#: Elements whose subtree is never the article's header (an <aside> is, when
#: its class says it holds the post's meta data).
_FOREIGN_TAGS = frozenset({"nav", "aside", "form", "dialog"})
_META_BLOCK = re.compile(r"meta|byline|author|date|info")
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class HeaderDates:
    """The dates printed around the headline."""

    #: The first date that is not labelled as an update.
    published: ParsedDate | None = None
    #: The first date labelled "Updated", "Last modified"...
    updated: ParsedDate | None = None
    #: Several different dates around the headline: the cards of a listing.
    listing: bool = False


class _Line(NamedTuple):
    """One text node near the headline."""

    text: str
    node: LexborNode
    #: Characters of text between the headline and this node.
    distance: int
    #: The node's top-most ancestor that does not contain the headline.
    block: LexborNode


def _texts(block: LexborNode) -> Iterator[LexborNode]:
    """Visible text nodes of ``block``, in document order."""
    if block.tag == "-text":
        yield block
        return
    for node in block.traverse(include_text=True, skip_empty=True):
        if node.tag == "-text":
            parent = node.parent
            if parent is None or parent.tag not in _HIDDEN:
                yield node


def _after(headline: LexborNode) -> list[_Line]:
    """Text nodes after the headline, in document order, up to the labelled budget."""
    lines: list[_Line] = []
    used = 0
    anchor: LexborNode | None = headline
    while anchor is not None and anchor.tag not in ("body", "html"):
        sibling = anchor.next
        while sibling is not None:
            if sibling.tag not in _HIDDEN and sibling.tag != "-comment":
                for node in _texts(sibling):
                    text = (node.text_content or "").strip()
                    if not text:
                        continue
                    lines.append(_Line(text, node, used, sibling))
                    used += len(text)
                    if used > _AFTER_LABELLED or len(lines) >= _MAX_TEXTS:
                        return lines
            sibling = sibling.next
        anchor = anchor.parent
    return lines


def _before(headline: LexborNode) -> list[_Line]:
    """Text nodes before the headline inside its own block, in document order.

    Only short blocks are read (a kicker, a category and date line): a long
    one before the title is a menu or a teaser, not the article's header; a
    <header> that does not hold the headline is the site's (where a "today"
    line lives).
    """
    lines: list[_Line] = []
    used = 0
    anchor: LexborNode | None = headline
    for _ in range(_BEFORE_LEVELS):
        if anchor is None or anchor.tag in ("body", "html"):
            break
        sibling = anchor.prev
        while sibling is not None and used <= _BEFORE:
            if (
                sibling.tag not in _HIDDEN
                and sibling.tag not in ("-comment", "header", "nav")
                and len(sibling.text(strip=True)) <= 2 * _BEFORE
            ):
                nodes = [n for n in _texts(sibling) if (n.text_content or "").strip()]
                for node in reversed(nodes):
                    text = (node.text_content or "").strip()
                    lines.append(_Line(text, node, used, sibling))
                    used += len(text)
            sibling = sibling.prev
        anchor = anchor.parent
    lines.reverse()
    return lines


def _foreign(line: _Line) -> bool:
    """Is the text in a menu, a sidebar, comments, related links... below the shared block?

    Only the elements between the text and the block it shares with the
    headline are looked at: the classes of a container that holds the
    headline too describe the article, whatever they say.  A <footer> is
    foreign unless it is an <article>'s own (its byline and date line).
    """
    if line.block.mem_id == line.node.mem_id:
        return False  # a bare text beside the headline's block
    current = line.node.parent
    while current is not None:
        tag = current.tag
        if tag == "footer":
            return not any(anc.tag == "article" for anc in ancestors(current, 12))
        if tag in _FOREIGN_TAGS and not (
            tag == "aside" and _META_BLOCK.search(current.attributes.get("class") or "")
        ):
            return True
        if foreign_marks(current.attributes):
            return True
        if current.mem_id == line.block.mem_id:
            return False
        current = current.parent
    return False


def _find(line: _Line, day_first: bool) -> tuple[ParsedDate, int] | None:
    """The date on the line and where it starts.

    The text as shown comes first: a ``<time>``'s ``datetime`` is often in
    UTC, a day off the date the page prints in its own time zone.  It is
    read when the text has no full date ("5 April").
    """
    found = find_date(line.text, day_first=day_first)
    if found is not None:
        return found
    parent = line.node.parent
    if parent is not None and parent.tag == "time":
        stamp = parse_date(parent.attributes.get("datetime") or "", day_first=day_first)
        if stamp is not None:
            return stamp, len(line.text)
    return None


def header_dates(headline: LexborNode, *, day_first: bool) -> HeaderDates:
    """The publication and update dates printed around ``headline`` (the page's <h1>).

    Dates after the headline come before those above it: a kicker above the
    title is more often a category or a "today" line than the article's
    date.  Three different dates on short lines near the headline are the
    cards of a listing: then none of them is the page's.
    """
    found: list[tuple[ParsedDate, bool]] = []  # (date, labelled as an update)
    days: set[str] = set()
    for lines, limit in ((_after(headline), _AFTER), (_before(headline), _BEFORE)):
        for i, line in enumerate(lines):
            parent = line.node.parent
            if _DIGIT.search(line.text) is None and (parent is None or parent.tag != "time"):
                continue  # no date here (the common case: skip the calls below)
            hit = _dated(line, lines[max(0, i - 2) : i], day_first)
            if hit is None or _foreign(line):
                continue
            date, is_update, labelled = hit
            days.add(date.day)
            if line.distance <= limit or labelled:
                found.append((date, is_update))
    if len(days) >= 3:
        return HeaderDates(listing=True)
    return HeaderDates(
        published=next((date for date, is_update in found if not is_update), None),
        updated=next((date for date, is_update in found if is_update), None),
    )


def _dated(
    line: _Line, previous: Sequence[_Line], day_first: bool
) -> tuple[ParsedDate, bool, bool] | None:
    """(date, labelled "updated", labelled at all) of a dateline; None if it is none.

    A dateline is a short text with a date, or a longer one whose date
    follows a byline or a date label ("By Jane Doe and John Roe, June 8,
    2023"); not a sentence that mentions a date, and not a date labelled as
    something else ("Joined", "Last post", "Sale ends").  The label is read
    in the text before the date and in the two texts before it.
    """
    text = line.text
    if len(text) > 2 * _SHORT:
        return None
    found = _find(line, day_first)
    if found is None:
        return None
    date, start = found
    own_label = text[:start]
    label = " ".join(p.text for p in previous)[-40:] + " " + own_label
    if sel.NOT_PUBLICATION_LABEL.search(label):
        return None
    words = len(text.split())
    if (len(text) > _SHORT or words > 10) and not (
        sel.DATE_LABEL.search(own_label)
        or sel.DATE_UPDATED_LABEL.search(own_label)
        or sel.BYLINE_PREFIX.match(text)
    ):
        return None
    if words > 3 and text.endswith((".", "!", "?")):
        return None  # a sentence that mentions a date
    updated = bool(sel.DATE_UPDATED_LABEL.search(label))
    return date, updated, updated or bool(sel.DATE_LABEL.search(label))


def byline_date(byline_nodes: Sequence[LexborNode], *, day_first: bool) -> ParsedDate | None:
    """The date on the author's byline line ("By Jane Doe - Mar 27, 2024").

    The byline element's parent or grandparent is read when its text is a
    short line (at most 16 words, not ending like a sentence) outside the
    page's foreign blocks; a line labelled "Updated" or "Joined" does not count.
    """
    for node in byline_nodes:
        parent = node.parent
        for anc in (parent, parent.parent if parent is not None else None):
            if anc is None or anc.tag in ("body", "html"):
                continue
            text = anc.text(separator=" ")
            if len(text) > 320:
                continue
            text = WS.sub(" ", text).strip()
            if len(text.split()) > 16 or text.endswith((".", "!", "?")):
                continue
            found = find_date(text, day_first=day_first)
            if found is None:
                continue
            label = text[: found[1]]
            if (
                sel.DATE_UPDATED_LABEL.search(label)
                or sel.NOT_PUBLICATION_LABEL.search(label)
                or region(anc)[0]
            ):
                continue
            return found[0]
    return None
