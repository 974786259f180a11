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

__all__ = ["ParsedDate", "parse_date"]

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
