"""A page's publication and modification dates, as the page states them.

Why a module of its own: dates come in many shapes (ISO 8601 from JSON-LD and
OpenGraph, ``2025/01/17`` and ``20250117`` from CMS meta tags, ``January 17, 2025``
or ``17. Januar 2025`` inside a ``<time>`` element), the rules for telling a
real date from a number that merely looks like one belong in one place, and so
does the order in which a page's statements are believed (:func:`choose_dates`).

No date is ever guessed: the body text is not searched, and "today" is never
a fallback.  A value is read only where the page labels it as a date
(structured data, a ``<time>`` element, an element whose class says "date"),
or in the short dateline under the headline and in the byline.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from selectolax.lexbor import LexborNode

from scraper.extraction import selectors as sel

__all__ = ["DateStatements", "PageDates", "ParsedDate", "choose_dates", "parse_date"]

#: Dates before this year are far more often noise (copyright lines, IDs) than
#: publication dates of a web page.
_MIN_YEAR = 1995

# 2025-01-17, 2025-1-7, 2025/01/17, 2025.01.17, optionally followed by a time
_ISO = re.compile(
    r"(?<!\d)(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?!\d)"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?)?",
    re.IGNORECASE,
)
# 20250117 (parsely, sailthru and some CMS meta tags), alone in the value
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?\s*$")
# 17/01/2025, 01.17.2025, 17-01-2025: day and month order is resolved below
_DMY = re.compile(r"(?<!\d)(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?!\d)")

#: Month names and abbreviations of the languages we meet most, lower-case.
_MONTHS: dict[str, int] = {}
for _names in (
    # English
    "january february march april may june july august september october november december",
    "jan feb mar apr may jun jul aug sep oct nov dec",
    # German
    "januar februar märz april mai juni juli august september oktober november dezember",
    "jän feb mär apr mai jun jul aug sept okt nov dez",
    # French
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "janv févr mars avr mai juin juil août sept oct nov déc",
    # Italian
    "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "gen feb mar apr mag giu lug ago set ott nov dic",
    # Spanish
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "ene feb mar abr may jun jul ago sep oct nov dic",
    # Portuguese
    "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    "jan fev mar abr mai jun jul ago set out nov dez",
    # Dutch
    "januari februari maart april mei juni juli augustus september oktober november december",
    "jan feb mrt apr mei jun jul aug sep okt nov dec",
):
    for _i, _name in enumerate(_names.split(), start=1):
        _MONTHS.setdefault(_name, _i)
_MONTHS["sept"] = 9

_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
# January 17, 2025 / Jan. 17th 2025
_MDY_TEXT = re.compile(
    rf"(?<!\w)({_MONTH_ALT})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)
# 17 January 2025 / 17. Januar 2025 / 17 de enero de 2025 / 1er janvier 2025
_DMY_TEXT = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\.?\s+(?:de\s+)?({_MONTH_ALT})\.?,?\s+(?:de\s+)?(\d{{4}})(?!\d)",
    re.IGNORECASE,
)


class ParsedDate(NamedTuple):
    """A date read from the page: the day, and the timestamp as precise as stated."""

    #: ``YYYY-MM-DD``.
    day: str
    #: ISO 8601: ``YYYY-MM-DDTHH:MM[:SS][zone]`` when a time was given, else ``day``.
    iso: str


def _valid(year: int, month: int, day: int) -> dt.date | None:
    if not _MIN_YEAR <= year <= dt.date.today().year + 1:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _zone(raw: str | None) -> str:
    if not raw:
        return ""
    raw = raw.upper()
    if raw in ("Z", "UTC", "GMT"):
        return "+00:00"
    if ":" not in raw:
        return f"{raw[:3]}:{raw[3:]}"
    return raw


def parse_date(value: str, *, day_first: bool = True) -> ParsedDate | None:
    """Read a date that the page states in ``value``; None when there is none.

    ``day_first`` settles ``03/04/2025`` when neither number is above 12
    (False for US-style pages).  Years before 1995 or after next year are
    refused: they are copyright lines or identifiers, not publication dates.

    >>> parse_date("2025-01-17T08:30:00+01:00")
    ParsedDate(day='2025-01-17', iso='2025-01-17T08:30:00+01:00')
    >>> parse_date("January 7th, 2024").day
    '2024-01-07'
    >>> parse_date("17. März 2023").day
    '2023-03-17'
    >>> parse_date("version 3.2.1") is None
    True
    """
    value = value.strip()
    if not value:
        return None
    m = _ISO.search(value)
    if m:
        date = _valid(int(m[1]), int(m[3]), int(m[4]))
        if date is None:
            return None
        iso = date.isoformat()
        if m[5] is not None:
            seconds = f":{int(m[7]):02d}" if m[7] else ":00"
            iso = f"{iso}T{int(m[5]):02d}:{m[6]}{seconds}{_zone(m[8])}"
        return ParsedDate(date.isoformat(), iso)
    m = _COMPACT.match(value)
    if m:
        date = _valid(int(m[1]), int(m[2]), int(m[3]))
        if date is None:
            return None
        iso = date.isoformat()
        if m[4] is not None:
            iso = f"{iso}T{m[4]}:{m[5]}:{m[6] or '00'}"
        return ParsedDate(date.isoformat(), iso)
    m = _MDY_TEXT.search(value)
    if m:
        date = _valid(int(m[3]), _MONTHS.get(m[1].lower(), 0), int(m[2]))
        return ParsedDate(date.isoformat(), date.isoformat()) if date else None
    m = _DMY_TEXT.search(value)
    if m:
        date = _valid(int(m[3]), _MONTHS.get(m[2].lower(), 0), int(m[1]))
        return ParsedDate(date.isoformat(), date.isoformat()) if date else None
    m = _DMY.search(value)
    if m:
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        if first > 12 or (day_first and second <= 12):
            date = _valid(year, second, first)
        else:
            date = _valid(year, first, second)
        return ParsedDate(date.isoformat(), date.isoformat()) if date else None
    if value.isascii() and value.isdigit() and len(value) in (10, 13):
        # Unix timestamps (seconds or milliseconds) in some JSON-LD and meta tags
        stamp = dt.datetime.fromtimestamp(int(value) / (1000 if len(value) == 13 else 1), tz=dt.UTC)
        date = _valid(stamp.year, stamp.month, stamp.day)
        if date is None:
            return None
        return ParsedDate(date.isoformat(), stamp.isoformat(timespec="seconds"))
    return None


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
