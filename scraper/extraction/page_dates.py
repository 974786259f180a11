"""The page's publication and modification dates: which statement to believe.

Why a module of its own: a page may state several dates (JSON-LD, <meta>
tags, microdata, ``<time>`` and dated elements, the line under the
headline), some of them about other things (a modification, a comment, a
related article, the copyright year), and they often disagree.
:func:`choose_dates` ranks them; the values are parsed by
:mod:`scraper.extraction.dates` and the header's printed dates are found by
:mod:`scraper.extraction.datelines`.

No date is ever guessed: the body text is not searched, and "today" is never
a fallback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from selectolax.lexbor import LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.datelines import HeaderDates, byline_date, header_dates
from scraper.extraction.dates import ParsedDate, find_date, parse_date
from scraper.extraction.scan import region

__all__ = ["DateStatements", "PageDates", "choose_dates"]

_MODIFIED_CLASS = re.compile(r"updated|modified|last-edit")
#: A <meta> name that states some date but not the publication's.
_OTHER_DATE_META = re.compile(
    r"modif|updat|expir|valid|start|end|event|birth|review|revis|last|copyright"
)


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
    #: The <h1> that carries the article's headline, if any.
    headline: LexborNode | None
    #: The author's byline elements and links.
    byline_nodes: Sequence[LexborNode]


class PageDates(NamedTuple):
    """The dates chosen for a page."""

    #: The publication date, as precise as stated.
    published: ParsedDate | None
    #: The last modification date.
    modified: ParsedDate | None
    #: The date to report: the publication date, else the modification date
    #: that the article itself states (its JSON-LD, an "Updated" line in its header).
    day: ParsedDate | None


def _first(values: Sequence[object], day_first: bool) -> ParsedDate | None:
    for value in values:
        if isinstance(value, str):
            parsed = parse_date(value, day_first=day_first)
            if parsed:
                return parsed
    return None


def _element_dates(
    statements: DateStatements, day_first: bool
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
        attrs = node.attributes
        value = attrs.get("datetime") or attrs.get("content")
        text = ""
        if not value:
            text = node.text(separator=" ")
            if len(text) > 80:
                continue
            value = text
        parsed = parse_date(value, day_first=day_first)
        if parsed is None:
            continue
        # the region walk costs more than parsing: only for elements with a date
        foreign, marks = region(node)
        if foreign:
            continue
        label = _label(node, text, day_first)
        if sel.NOT_PUBLICATION_LABEL.search(label):
            continue  # "Reviewed 06/08/2024", "Joined Nov 4, 2011"
        days.add(parsed.day)
        marks = f"{marks} {attrs.get('itemprop') or ''}".casefold()
        if _MODIFIED_CLASS.search(marks) or sel.DATE_UPDATED_LABEL.search(label):
            modified = modified or parsed
        else:
            published = published or parsed
        if len(days) >= 5:
            return None, None  # five different dates: the cards of a listing
    return published, modified


def _label(node: LexborNode, text: str, day_first: bool) -> str:
    """The words before a dated element's date, in its own text or its parent's short line.

    ``<p>Last updated: <time datetime="...">Aug 1, 2025</time></p>`` is
    labelled by its parent.
    """
    parent = node.parent
    if parent is not None and parent.tag not in ("body", "html"):
        line = parent.text(separator=" ")
        if len(line) <= 120:
            text = line
    found = find_date(text, day_first=day_first)
    return text[: found[1]] if found else text[:120]


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


def _swapped(day: str) -> str:
    """``YYYY-MM-DD`` with day and month exchanged (or unchanged when impossible).

    >>> _swapped("2025-04-03")
    '2025-03-04'
    >>> _swapped("2025-04-13")
    '2025-04-13'
    """
    year, month, date = day.split("-")
    return f"{year}-{date}-{month}" if int(date) <= 12 else day


def choose_dates(statements: DateStatements, *, day_first: bool) -> PageDates:
    """The page's publication and modification dates, the article's own statements first.

    Publication, in this order of trust:

    1. the date printed in the article's header (next to the <h1>, not
       labelled "Updated"): it is what the page tells its readers, and when
       it disagrees with the structured data, the structured date is most
       often the creation of an older draft, the stamp of a CMS migration,
       or a UTC timestamp a day off the publisher's local date (on the WCXB
       pages the printed date was right 9 times out of 12);
    2. the article's JSON-LD, the publication <meta> tags
       (``article:published_time``, ``citation_date``, ``parsely-pub-date``...),
       microdata;
    3. the first dated element of the article (``<time>``, ``class=date``);
    4. other <meta> names with "publish" or "date" in them;
    5. the date on the author's byline line.

    Without a publication date, the reported day is the article's own
    modification date: its JSON-LD ``dateModified``, or an "Updated" date
    printed in its header.  Page-level stamps never make the reported day:
    ``article:modified_time``, ``WebPage.datePublished`` and
    ``WebPage.dateModified`` are set by CMSs on every page, service pages
    and products included (on the WCXB pages, ``WebPage.datePublished``
    alone gave 2 right dates and 13 dates on pages that state none), and a
    "Last modified" line at the foot of a page is the page's, not the article's.
    """
    meta = statements.meta
    header = (
        header_dates(statements.headline, day_first=day_first)
        if statements.headline is not None
        else HeaderDates()
    )
    structured = (
        _first(
            [o.get("datePublished") or o.get("dateCreated") for o in statements.article_ld],
            day_first,
        )
        or _first([v for key in sel.DATE_PUBLISHED_META for v in meta.get(key, ())[:3]], day_first)
        or _first(statements.item_published, day_first)
    )
    printed = header.published
    if printed and structured and printed.day in (structured.day, _swapped(structured.day)):
        # the same day, with the structured data's time; or "03/04/2025" read
        # the wrong way round on a page whose language does not settle it
        printed = structured
    article_modified = _first([o.get("dateModified") for o in statements.article_ld], day_first)
    stated_modified = (
        article_modified
        or _first([v for key in sel.DATE_MODIFIED_META for v in meta.get(key, ())[:3]], day_first)
        or _first(statements.item_modified, day_first)
        or header.updated
    )
    # The dated elements are walked only when a date is still missing: most
    # articles state both in their structured data, and the walk (a region
    # check per dated element) is the costliest step here.
    element_published, element_modified = (
        _element_dates(statements, day_first)
        if not header.listing and not ((printed or structured) and stated_modified)
        else (None, None)
    )
    published = (
        printed
        or structured
        or element_published
        or _first(_generic_date_meta(meta), day_first)
        or (
            byline_date(statements.byline_nodes, day_first=day_first)
            if not header.listing
            else None
        )
    )
    modified = (
        stated_modified
        or element_modified
        or _first([o.get("dateModified") for o in statements.page_ld], day_first)
    )
    return PageDates(published, modified, published or article_modified or header.updated)
