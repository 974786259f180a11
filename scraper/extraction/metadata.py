"""Page metadata (title, author, dates, language, site...) from one parsed tree.

Why: trafilatura's metadata pass re-parses the page, searches the body text for
anything that looks like a date and takes the first "author"-ish string it
meets, so it invents a date on nearly every date-less page.  Here every value
comes from something the page *states*: JSON-LD, OpenGraph and other ``<meta>``
tags, microdata, ``<time>`` and dated elements, bylines and author links,
``<h1>`` and ``<title>``.  When no such statement exists the value is ``None``.

The tree is walked once (``scan.py``, one CSS selector list evaluated in C);
the rest works on the few dozen nodes it returns, so a page costs about a
millisecond.  Each field has its module: ``jsonld.py`` reads JSON-LD,
``titles.py`` the headline, ``authors.py`` the names, ``page_dates.py`` the
dates (parsed by ``dates.py``; the dates printed around the headline, which
need a short walk beside the <h1>, by ``datelines.py``); data tables live in
``selectors.py``.  This module assembles them and reads the simple fields
(language, links, tags).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.authors import choose_author
from scraper.extraction.jsonld import Ld, ld_first, pick_json_ld
from scraper.extraction.page_dates import DateStatements, choose_dates
from scraper.extraction.scan import Found, meta_first, scan
from scraper.extraction.strings import clean, norm
from scraper.extraction.titles import choose_title, site_keys, site_part

__all__ = ["Metadata", "extract_metadata"]


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a page says about itself.  A missing value is ``None`` (or ``()``)."""

    #: The headline, without a site-name prefix or suffix.
    title: str | None = None
    #: Author names joined with ``"; "``.
    author: str | None = None
    #: Publication date, ``YYYY-MM-DD`` (the article's modification date when
    #: its JSON-LD states no other).
    date: str | None = None
    #: Publication timestamp as precise as the page states it (ISO 8601).
    date_published: str | None = None
    #: Last modification date, ``YYYY-MM-DD``.
    date_modified: str | None = None
    #: Declared language, ISO 639 primary subtag, lower-case (``"it"``).
    language: str | None = None
    #: Name of the site or publication.
    sitename: str | None = None
    #: The page's description or summary.
    description: str | None = None
    #: Canonical URL (``<link rel=canonical>``, else ``og:url``), absolute.
    canonical_url: str | None = None
    #: Lead image URL, absolute.
    image: str | None = None
    #: Tags or keywords, in page order, without duplicates.
    tags: tuple[str, ...] = ()
    #: Sections or categories, in page order, without duplicates.
    categories: tuple[str, ...] = ()


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> Metadata:
    """Read the page's own statements about itself into a :class:`Metadata`.

    ``url`` (the page's address, if known) resolves relative links and tells
    which title prefix or suffix is the site's name.  Never raises on a parsed
    tree: a broken JSON-LD block is skipped and counted in a debug log.
    """
    found = scan(tree)
    ld = pick_json_ld(found.ld)
    meta = found.meta
    sitename = meta_first(found, sel.SITENAME_META[:1]) or next(iter(ld.sitenames), None)
    names = [n for n in (sitename, *ld.sitenames, meta_first(found, sel.SITENAME_META[1:])) if n]
    host = site_keys([], url)
    language = _language(found, ld)
    title = choose_title(found, ld, site_keys(names, url))
    dates = choose_dates(
        DateStatements(
            article_ld=ld.article,
            page_ld=ld.page,
            meta=meta,
            item_published=found.item_published,
            item_modified=found.item_modified,
            dated=found.dated,
            headline=_headline(found, title),
            byline_nodes=(found.author_nodes + found.link_nodes[:2] + found.bylines)[:5],
        ),
        day_first=language not in (None, "en"),
    )
    return Metadata(
        title=title,
        author=choose_author(found, ld, {norm(n) for n in names} - ld.persons, host),
        date=dates.day.day if dates.day else None,
        date_published=dates.published.iso if dates.published else None,
        date_modified=dates.modified.day if dates.modified else None,
        language=language,
        sitename=sitename or site_part(clean(found.title_tag), host),
        description=meta_first(found, sel.DESCRIPTION_META)
        or clean(ld_first(ld.article + ld.page, "description")),
        canonical_url=_absolute(found.canonical, url)
        or _absolute(meta_first(found, ("og:url",)), url),
        image=_absolute(meta_first(found, sel.IMAGE_META), url)
        or _absolute(_ld_image(ld_first(ld.article + ld.page, "image")), url),
        tags=_listed(
            [v for k in sel.TAG_META for v in meta.get(k, ())] + [ld_first(ld.article, "keywords")],
            split=True,
        ),
        categories=_listed(
            [v for k in sel.SECTION_META for v in meta.get(k, ())]
            + [ld_first(ld.article, "articleSection")],
            split=False,
        ),
    )


# --------------------------------------------------------------------------
# the other fields
# --------------------------------------------------------------------------


def _headline(found: Found, title: str | None) -> LexborNode | None:
    """The <h1> that carries the chosen title (the first <h1> when none does).

    On many templates the first <h1> is the site's logo or a menu; the dates
    printed next to the headline are read around the right one.
    """
    key = norm(title) if title else ""
    if key:
        for node, text in zip(found.h1_nodes, found.h1, strict=False):
            h1 = norm(text)
            if h1 and (h1 in key or key in h1):
                return node
    return found.h1_nodes[0] if found.h1_nodes else None


def _language(found: Found, ld: Ld) -> str | None:
    """The declared language's primary subtag: ``it-IT`` → ``it``."""
    for raw in (
        found.lang,
        meta_first(found, ("content-language", "dc.language", "og:locale")),
        ld_first(ld.article + ld.page, "inLanguage"),
    ):
        if isinstance(raw, str):
            primary = re.split(r"[-_]", raw.strip(), maxsplit=1)[0].casefold()
            if primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 3:
                return primary
    return None


def _absolute(href: object, url: str | None) -> str | None:
    """``href`` made absolute against ``url``; None unless it is an http(s) URL."""
    value = clean(href)
    if not value:
        return None
    try:
        value = urljoin(url, value) if url else value
    except ValueError:  # a malformed address ("http://[::1")
        return None
    return value if value.startswith(("http://", "https://")) else None


def _ld_image(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def _listed(values: list[object], split: bool) -> tuple[str, ...]:
    """Distinct, cleaned strings from strings and lists (comma-separated with ``split``)."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                continue
            for piece in item.split(",") if split else [item]:
                cleaned = clean(piece)
                if cleaned and len(cleaned) <= 80 and cleaned.casefold() not in seen:
                    seen.add(cleaned.casefold())
                    out.append(cleaned)
    return tuple(out[:50])
