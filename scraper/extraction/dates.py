"""Reading a date that a page states: ISO 8601, compact, numeric and written-out forms.

Why a module of its own: dates come in many shapes (ISO 8601 from JSON-LD and
OpenGraph, ``2025/01/17`` and ``20250117`` from CMS meta tags, ``January 17, 2025``
or ``17. Januar 2025`` inside a ``<time>`` element), and the rules for telling
a real date from a number that merely looks like one belong in one place.
Which of a page's dates is its publication date is decided in
:mod:`scraper.extraction.page_dates`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from scraper.extraction import selectors as sel

__all__ = ["ParsedDate", "find_date", "parse_date"]

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

#: Four digits in a row: every form read here has them (the year; a Unix
#: timestamp has ten), so a value without them ("5 hours ago", "Page 2") is
#: no date, and the patterns need not be tried on it.  Spelt out rather than
#: ``\d{4}`` so that ``re`` skips ahead to the first digit in C.
_FOUR_DIGITS = re.compile(r"\d\d\d\d")
# Written-out dates: the month is any word, looked up in ``selectors.MONTHS``.
_WORD = r"([^\W\d_]{3,}?)\.?"
# January 17, 2025 / Jan. 17th 2025
_MDY_TEXT = re.compile(rf"(?<!\w){_WORD}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)")
# 17 January 2025 / 17. Januar 2025 / 17 de enero de 2025 / 1er janvier 2025 / 8 июня 2023
_DMY_TEXT = re.compile(
    rf"(?<!\d)(\d{{1,2}})(?:st|nd|rd|th|er|º|°|\.)?\s*(?:de\s+|d')?{_WORD},?\s+(?:de\s+|del\s+)?(\d{{4}})(?!\d)"
)
# 2023 Jan 7 (PubMed) / 2023. június 8. (Hungarian)
_YMD_TEXT = re.compile(rf"(?<!\d)(\d{{4}})\.?\s+{_WORD}\s+(\d{{1,2}})(?!\d)")
# 2023年6月8日 / 2023년 6월 8일
_CJK = re.compile(r"(?<!\d)(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")


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
    Month names are read in the languages of ``selectors.MONTHS``.

    >>> parse_date("2025-01-17T08:30:00+01:00")
    ParsedDate(day='2025-01-17', iso='2025-01-17T08:30:00+01:00')
    >>> parse_date("January 7th, 2024").day
    '2024-01-07'
    >>> parse_date("17. März 2023").day
    '2023-03-17'
    >>> parse_date("18 de junio de 2024").day
    '2024-06-18'
    >>> parse_date("version 3.2.1") is None
    True
    """
    found = find_date(value, day_first=day_first)
    return found[0] if found else None


def find_date(value: str, *, day_first: bool = True) -> tuple[ParsedDate, int] | None:
    """Like :func:`parse_date`, with the offset in ``value`` where the date starts.

    The words before the date are its label ("Updated", "Posted on"), which
    tell a revision from the first publication.

    >>> find_date("Last updated: 8 June 2023")
    (ParsedDate(day='2023-06-08', iso='2023-06-08'), 14)
    """
    if not value or _FOUR_DIGITS.search(value) is None:
        return None
    first = _iso_date(value)
    if first is not None and first[1] == 0:
        return first  # structured values: nothing can come before
    # the first date in the text: "Posted 2024-05-01, updated June 8, 2024"
    candidates = [
        found
        for found in (first, _written_date(value), _numeric_date(value, day_first))
        if found is not None
    ]
    if candidates:
        return min(candidates, key=lambda found: found[1])
    m = _COMPACT.match(value)
    if m:
        date = _valid(int(m[1]), int(m[2]), int(m[3]))
        if date is None:
            return None
        iso = date.isoformat()
        if m[4] is not None:
            iso = f"{iso}T{m[4]}:{m[5]}:{m[6] or '00'}"
        return ParsedDate(date.isoformat(), iso), m.start(1)
    value = value.strip()
    if value.isascii() and value.isdigit() and len(value) in (10, 13):
        # Unix timestamps (seconds or milliseconds) in some JSON-LD and meta tags
        stamp = dt.datetime.fromtimestamp(int(value) / (1000 if len(value) == 13 else 1), tz=dt.UTC)
        date = _valid(stamp.year, stamp.month, stamp.day)
        if date is None:
            return None
        return ParsedDate(date.isoformat(), stamp.isoformat(timespec="seconds")), 0
    return None


def _iso_date(value: str) -> tuple[ParsedDate, int] | None:
    """``2025-01-17``, ``2025/01/17``, ``2025.01.17``, with the time and zone if given."""
    m = _ISO.search(value)
    if m is None:
        return None
    date = _valid(int(m[1]), int(m[3]), int(m[4]))
    if date is None:
        return None
    iso = date.isoformat()
    if m[5] is not None:
        # the date as written, in the page's own zone: never moved to UTC
        seconds = f":{int(m[7]):02d}" if m[7] else ":00"
        iso = f"{iso}T{int(m[5]):02d}:{m[6]}{seconds}{_zone(m[8])}"
    return ParsedDate(date.isoformat(), iso), m.start()


def _numeric_date(value: str, day_first: bool) -> tuple[ParsedDate, int] | None:
    """``17/01/2025``, ``01.17.2025``, ``17-01-2025``; ``day_first`` settles ``03/04/2025``."""
    m = _DMY.search(value)
    if m is None:
        return None
    first, second, year = int(m[1]), int(m[3]), int(m[4])
    if first > 12 or (day_first and second <= 12):
        date = _valid(year, second, first)
    else:
        date = _valid(year, first, second)
    return (ParsedDate(date.isoformat(), date.isoformat()), m.start()) if date else None


def _written_date(value: str) -> tuple[ParsedDate, int] | None:
    """A date with its month written out ("Jun 8, 2023", "8. Juni 2023", "2023年6月8日")."""
    best: tuple[int, dt.date] | None = None
    for pattern, order in ((_MDY_TEXT, "mdy"), (_DMY_TEXT, "dmy"), (_YMD_TEXT, "ymd")):
        for m in pattern.finditer(value):
            if best is not None and m.start() >= best[0]:
                break
            if order == "mdy":
                month, day, year = sel.MONTHS.get(m[1].casefold(), 0), m[2], m[3]
            elif order == "dmy":
                day, month, year = m[1], sel.MONTHS.get(m[2].casefold(), 0), m[3]
            else:
                year, month, day = m[1], sel.MONTHS.get(m[2].casefold(), 0), m[3]
            date = _valid(int(year), month, int(day)) if month else None
            if date is not None:
                best = (m.start(), date)
                break
    cjk = _CJK.search(value)
    if cjk and (best is None or cjk.start() < best[0]):
        date = _valid(int(cjk[1]), int(cjk[2]), int(cjk[3]))
        if date is not None:
            best = (cjk.start(), date)
    if best is None:
        return None
    return ParsedDate(best[1].isoformat(), best[1].isoformat()), best[0]
