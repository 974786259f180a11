"""The page's publication and modification dates: which statement to believe.

Why a module of its own: a page may state several dates (JSON-LD, <meta>
tags, microdata, ``<time>`` and dated elements, the dateline under the
headline), some of them about other things (a modification, a comment, a
related article, the copyright year).  :func:`choose_dates` ranks them; the
values are parsed by :mod:`scraper.extraction.dates`.

No date is ever guessed: the body text is not searched, and "today" is never
a fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from selectolax.lexbor import LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.dates import ParsedDate, parse_date

__all__ = ["DateStatements", "PageDates", "Region", "choose_dates"]

# --------------------------------------------------------------------------
# choosing the page's dates
# --------------------------------------------------------------------------

#: ``region(node)`` -> (node is in a block foreign to the article, class words
#: of the node and its ancestors).  Supplied by the metadata scan.
Region = Callable[[LexborNode], tuple[bool, str]]

_MODIFIED_CLASS = re.compile(r"updated|modified|last-edit")
_MODIFIED_LABEL = re.compile(r"updated|modified|revised|aktualisiert|mis à jour|aggiornato", re.I)
#: A <meta> name that states some date but not the publication's.
_OTHER_DATE_META = re.compile(
    r"modif|updat|expir|valid|start|end|event|birth|review|revis|last|copyright"
)
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class DateStatements:
    """Where the page states dates, as the metadata scan found them (document order)."""

    #: JSON-LD node of the article (Article, NewsArticle, BlogPosting...), if any.
    article_ld: Sequence[Mapping[str, Any]]
    #: JSON-LD node of the page (WebPage...), if any.
    page_ld: Sequence[Mapping[str, Any]]
    #: <meta> contents by lower-case name or property.
    meta: Mapping[str, Sequence[str]]
    #: Microdata ``datePublished`` / ``dateCreated`` values.
    item_published: Sequence[str]
    #: Microdata ``dateModified`` values.
    item_modified: Sequence[str]
    #: Elements that say they hold a date: <time>, date-ish class or itemprop, bylines.
    dated: Sequence[LexborNode]
    #: The first <h1> elements.
    h1_nodes: Sequence[LexborNode]
    #: The author's byline elements and links.
    byline_nodes: Sequence[LexborNode]


class PageDates(NamedTuple):
    """The dates chosen for a page."""

    #: The publication date, as precise as stated.
    published: ParsedDate | None
    #: The last modification date.
    modified: ParsedDate | None
    #: The date to report: the publication date, else the modification date
    #: that the article itself states (its JSON-LD, an "Updated" line).
    day: ParsedDate | None


def _first(values: Sequence[object], day_first: bool) -> ParsedDate | None:
    for value in values:
        if isinstance(value, str):
            parsed = parse_date(value, day_first=day_first)
            if parsed:
                return parsed
    return None


def _element_dates(
    statements: DateStatements, region: Region, day_first: bool
) -> tuple[ParsedDate | None, ParsedDate | None]:
    """Publication and modification dates from the dated elements of the page.

    Only elements that say they hold a date count, and only outside comments,
    related links, menus, sidebars and the page footer.  The first one wins;
    it is a modification date when its class or its label says so
    ("Updated", "Last modified").  Five different dates are the cards of a
    listing, not the page's date: then there is none.
    """
    published: ParsedDate | None = None
    modified: ParsedDate | None = None
    days: set[str] = set()
    for node in statements.dated[:40]:
        foreign, marks = region(node)
        if foreign:
            continue
        attrs = node.attributes
        text = ""
        value = attrs.get("datetime") or attrs.get("content")
        if not value:
            text = node.text(separator=" ")
            if len(text) > 80:
                continue
            value = text
        parsed = parse_date(value, day_first=day_first)
        if parsed is None:
            continue
        days.add(parsed.day)
        marks = f"{marks} {attrs.get('itemprop') or ''}".casefold()
        if _MODIFIED_CLASS.search(marks) or _MODIFIED_LABEL.search(text):
            modified = modified or parsed
        else:
            published = published or parsed
        if len(days) >= 5:
            return None, None  # five different dates: the cards of a listing
    return published, modified


def _next_elements(node: LexborNode, limit: int) -> Iterator[LexborNode]:
    sibling = node.next
    while sibling is not None and limit > 0:
        if sibling.is_element_node:
            yield sibling
            limit -= 1
        sibling = sibling.next


def _short_date(node: LexborNode, max_words: int, day_first: bool) -> ParsedDate | None:
    """The date on a short line ("Dec 26, 2025 · 5 min read"), not in a sentence.

    A line of more than ``max_words`` words, one that ends like a sentence,
    or one labelled "Updated" does not count.
    """
    text = node.text(separator=" ")
    if len(text) > 20 * max_words:
        return None
    text = _WS.sub(" ", text).strip()
    if len(text.split()) > max_words or text.endswith((".", "!", "?")):
        return None
    if _MODIFIED_LABEL.search(text):
        return None
    return parse_date(text, day_first=day_first)


def _dateline(statements: DateStatements, region: Region, day_first: bool) -> ParsedDate | None:
    """The date printed in the headline block: under the <h1>, or in the byline.

    Templates without markup for dates still print the publication date in the
    article's header: the line under the headline, or the byline itself
    ("By Jane Doe - Mar 27, 2024").  Only these short lines are read.
    """
    for h1 in statements.h1_nodes[:1]:
        for anchor in (h1, h1.parent):
            if anchor is None:
                continue
            for sibling in _next_elements(anchor, 2):
                if not region(sibling)[0]:
                    parsed = _short_date(sibling, 10, day_first)
                    if parsed:
                        return parsed
    for node in statements.byline_nodes:
        parent = node.parent
        for anc in (parent, parent.parent if parent is not None else None):
            if anc is not None and anc.tag not in ("body", "html") and not region(anc)[0]:
                parsed = _short_date(anc, 16, day_first)
                if parsed:
                    return parsed
    return None


def _generic_date_meta(meta: Mapping[str, Sequence[str]]) -> list[str]:
    """Values of unlisted <meta> names that say they hold a publication date.

    CMSs invent their own names (``w-published-date``, ``cludo:date``,
    ``ms.date``): any name containing "publish" or ending in "date" counts,
    unless it names another date (modified, expires, event...).
    """
    return [
        values[0]
        for key, values in meta.items()
        if values
        and ("publish" in key or key.endswith("date"))
        and not _OTHER_DATE_META.search(key)
    ]


def choose_dates(statements: DateStatements, region: Region, *, day_first: bool) -> PageDates:
    """The page's publication and modification dates, strongest statement first.

    Publication: the article's JSON-LD, the publication <meta> tags
    (``article:published_time``, ``citation_date``, ``parsely-pub-date``...),
    microdata, the first dated element of the article, other <meta> names
    with "publish" or "date" in them, the dateline, and last the JSON-LD
    ``WebPage``'s ``datePublished``.  Without a publication date, the
    reported day is the article's own modification date (its JSON-LD, or a
    dated element labelled "Updated").  A page-level ``article:modified_time``
    or ``WebPage.dateModified`` alone never makes the reported day: CMSs stamp
    them on every page, service pages and products included.
    """
    meta = statements.meta
    published = (
        _first(
            [o.get("datePublished") or o.get("dateCreated") for o in statements.article_ld],
            day_first,
        )
        or _first([v for key in sel.DATE_PUBLISHED_META for v in meta.get(key, ())[:3]], day_first)
        or _first(statements.item_published, day_first)
    )
    article_modified = _first([o.get("dateModified") for o in statements.article_ld], day_first)
    modified = (
        article_modified
        or _first([v for key in sel.DATE_MODIFIED_META for v in meta.get(key, ())[:3]], day_first)
        or _first(statements.item_modified, day_first)
    )
    element_published, element_modified = _element_dates(statements, region, day_first)
    published = (
        published
        or element_published
        or _first(_generic_date_meta(meta), day_first)
        or _dateline(statements, region, day_first)
        or _first([o.get("datePublished") for o in statements.page_ld], day_first)
    )
    modified = (
        modified
        or element_modified
        or _first([o.get("dateModified") for o in statements.page_ld], day_first)
    )
    return PageDates(published, modified, published or article_modified or element_modified)
