"""Sitemaps: parse urlsets and indexes (XML, gzip, plain text), find them, walk them safely.

Pure functions over bytes the crawl engine fetched.  Parsing goes through
``_xml.XmlStream`` (no entities, no DTD, no network, size-capped, streamed);
see https://www.sitemaps.org/protocol.html for the format and its limits
(50,000 entries and 50 MB per file), which are ours too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from protego import Protego

from scraper.crawling._xml import (
    FeedError,
    XmlStream,
    decoded,
    localname,
    parse_date,
    read_with_recovery,
    sniff,
)
from scraper.crawling.urls import normalize_url

__all__ = [
    "MAX_SITEMAP_ENTRIES",
    "USUAL_SITEMAP_PATHS",
    "Sitemap",
    "SitemapEntry",
    "SitemapWalk",
    "parse_sitemap",
    "sitemap_urls",
    "sitemap_urls_from_robots",
    "usual_sitemap_urls",
]

logger = logging.getLogger(__name__)

#: Entries read per file: the protocol's limit.  Past it, ``truncated`` is set.
MAX_SITEMAP_ENTRIES: Final = 50_000
#: Sitemap URLs taken from one robots.txt.
MAX_ROBOTS_SITEMAPS: Final = 1000
#: Where sites keep sitemaps when robots.txt names none.  ``/wp-sitemap.xml``
#: is WordPress's built-in one (since 5.5), so common that it earns a probe.
USUAL_SITEMAP_PATHS: Final = (
    "/sitemap.xml",
    "/sitemap_index.xml",
    "/sitemap-index.xml",
    "/news-sitemap.xml",
    "/wp-sitemap.xml",
)


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One ``<url>`` of a urlset, or one ``<sitemap>`` of an index."""

    #: The normalised URL.
    url: str
    #: ``<lastmod>`` (or a news sitemap's publication date), UTC; None if absent or invalid.
    lastmod: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """What one sitemap file lists: pages (a urlset) or further sitemaps (an index)."""

    #: The URL the sitemap was fetched from.
    url: str
    #: Pages of a urlset (or a text sitemap), in file order, deduplicated.
    pages: tuple[SitemapEntry, ...] = ()
    #: Child sitemaps of a sitemap index.
    sitemaps: tuple[SitemapEntry, ...] = ()
    #: The entry cap (``MAX_SITEMAP_ENTRIES``) was reached; the rest was not read.
    truncated: bool = False
    #: The XML was malformed and read in recovery mode: entries may be missing.
    recovered: bool = False
    #: Entries dropped because their location was not an http(s) URL.
    skipped: int = 0

    @property
    def is_index(self) -> bool:
        """True for a sitemap index (its entries are sitemaps, not pages)."""
        return bool(self.sitemaps)


class _Collector:
    """Entries of one file: deduplicated, normalised, capped."""

    def __init__(self) -> None:
        self.entries: dict[str, SitemapEntry] = {}
        self.skipped = 0
        self.truncated = False

    def add(self, location: str | None, lastmod: dt.datetime | None, base: str | None) -> bool:
        """Add one entry (relative to ``base``; None: must be absolute); False at the cap."""
        url = normalize_url(location, base) if location else None
        if url is None:
            self.skipped += 1
        elif url not in self.entries:
            if len(self.entries) >= MAX_SITEMAP_ENTRIES:
                self.truncated = True
                return False
            self.entries[url] = SitemapEntry(url, lastmod)
        return True


def _read_xml(stream: XmlStream) -> Sitemap:
    kind = ""
    found = _Collector()
    for event, element, depth in stream:
        if depth == 0 and event == "start":
            kind = localname(element.tag)
            if kind not in ("urlset", "sitemapindex"):
                raise FeedError(f"{stream.url}: not a sitemap (root element <{kind}>)")
        elif depth == 1 and event == "end" and localname(element.tag) in ("url", "sitemap"):
            location = None
            lastmod = None
            for child in element:
                name = localname(child.tag)
                if name == "loc":
                    location = (child.text or "").strip()
                elif name == "lastmod":
                    lastmod = parse_date(child.text) or lastmod
                elif name == "news" and lastmod is None:  # Google News sitemaps
                    for grandchild in child:
                        if localname(grandchild.tag) == "publication_date":
                            lastmod = parse_date(grandchild.text)
            if not found.add(location, lastmod, stream.base_of(element)):
                break
    if not kind:
        raise FeedError(f"{stream.url}: no XML element found; not a sitemap")
    entries = tuple(found.entries.values())
    return Sitemap(
        url=stream.url,
        pages=entries if kind == "urlset" else (),
        sitemaps=entries if kind == "sitemapindex" else (),
        truncated=found.truncated or stream.truncated,
        skipped=found.skipped,
    )


def _read_text(content: bytes, url: str) -> Sitemap:
    found = _Collector()
    for line in decoded(content, url).decode("utf-8-sig", errors="replace").splitlines():
        line = line.strip()
        if line and not found.add(line, None, None):  # lines must be absolute URLs
            break
    if not found.entries:
        raise FeedError(f"{url}: neither an XML sitemap nor a text sitemap (one URL per line)")
    return Sitemap(
        url=url,
        pages=tuple(found.entries.values()),
        truncated=found.truncated,
        skipped=found.skipped,
    )


def parse_sitemap(content: bytes, url: str) -> Sitemap:
    """Read a sitemap: a urlset, a sitemap index or a text sitemap, gzipped or not.

    Why: sitemaps are how news sites announce new articles, and the cheapest
    way to find pages without crawling links.  Locations are normalised
    (relative ones resolved against ``url``); invalid ones are counted in
    ``skipped``.  Raises ``FeedError`` for what is not a sitemap or cannot
    be read safely, ``FeedTooLarge`` past 50 MB decompressed.

    >>> sm = parse_sitemap(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    ...     b'<url><loc>https://example.com/a?utm_source=x</loc><lastmod>2024-06-18</lastmod></url>'
    ...     b'</urlset>', "https://example.com/sitemap.xml")
    >>> [(entry.url, entry.lastmod.isoformat()) for entry in sm.pages]
    [('https://example.com/a', '2024-06-18T00:00:00+00:00')]
    """
    if sniff(content, url) != "xml":
        return _read_text(content, url)
    sitemap, recovered = read_with_recovery(_read_xml, content, url, "sitemap")
    if recovered:
        logger.debug("sitemap %s is malformed XML; read in recovery mode", url)
        return Sitemap(
            url=sitemap.url,
            pages=sitemap.pages,
            sitemaps=sitemap.sitemaps,
            truncated=sitemap.truncated,
            recovered=True,
            skipped=sitemap.skipped,
        )
    return sitemap


def sitemap_urls_from_robots(robots_txt: str, base: str | None = None) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, normalised, deduplicated, in file order.

    Why: robots.txt is where sites name their sitemaps (any group, any case).
    Parsing is Protego's (the parser the fetcher uses for the rules);
    relative URLs are resolved against ``base`` (the robots.txt URL) and
    dropped without it.

    >>> sitemap_urls_from_robots("User-agent: *\\nSitemap: https://a.example/s.xml\\n"
    ...     "sitemap: /news.xml # daily\\nSITEMAP: https://a.example/s.xml", "https://a.example/robots.txt")
    ['https://a.example/s.xml', 'https://a.example/news.xml']
    """
    return sitemap_urls(Protego.parse(robots_txt).sitemaps, base)


def sitemap_urls(lines: Iterable[str], base: str | None = None) -> list[str]:
    """``Sitemap:`` values as written (``RobotsCache.sitemaps``), normalised and deduplicated.

    >>> sitemap_urls(["/a.xml", "https://a.example/a.xml", "b.xml"], "https://a.example/robots.txt")
    ['https://a.example/a.xml', 'https://a.example/b.xml']
    """
    found: list[str] = []
    for raw in lines:
        url = normalize_url(raw, base)
        if url is not None and url not in found:
            found.append(url)
            if len(found) >= MAX_ROBOTS_SITEMAPS:
                break
    return found


def usual_sitemap_urls(site_url: str) -> list[str]:
    """Where to look for sitemaps on ``site_url``'s origin when robots.txt names none.

    >>> usual_sitemap_urls("https://Example.com/news/today")[:2]
    ['https://example.com/sitemap.xml', 'https://example.com/sitemap_index.xml']
    """
    root = normalize_url(site_url)
    if root is None:
        return []
    parts = urlsplit(root)
    origin = f"{parts.scheme}://{parts.netloc}"
    return [origin + path for path in USUAL_SITEMAP_PATHS]


class SitemapWalk:
    """Which sitemaps one crawl should still fetch: cuts index loops, bounds depth and count.

    Why: an index may list itself, two indexes may list each other, and a
    generated index may nest without end.  The engine asks ``admit`` for
    each sitemap URL it found (seeds, robots.txt, usual places) and
    ``children`` for each index it read; both return only URLs not seen
    before, within ``max_depth`` index levels and ``max_sitemaps`` in all.
    The one mutable helper here: one instance per crawl run.

    >>> walk = SitemapWalk(max_depth=2)
    >>> walk.admit("https://a.example/sitemap_index.xml")
    'https://a.example/sitemap_index.xml'
    >>> loop = Sitemap("https://a.example/sitemap_index.xml",
    ...     sitemaps=(SitemapEntry("https://a.example/sitemap_index.xml"), SitemapEntry("https://a.example/s1.xml")))
    >>> walk.children(loop, depth=0), dict(walk.refused)
    (['https://a.example/s1.xml'], {'seen': 1})
    """

    def __init__(self, *, max_depth: int = 3, max_sitemaps: int = 1000) -> None:
        #: Index levels followed below a seed sitemap (a seed is depth 0).
        self.max_depth = max_depth
        #: Sitemaps admitted in all, seeds included.
        self.max_sitemaps = max_sitemaps
        self._seen: set[str] = set()
        #: Refusals by reason ("seen", "depth", "budget", "invalid"), for the crawl summary.
        self.refused: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, url: object) -> bool:
        return url in self._seen

    def admit(self, url: str, depth: int = 0) -> str | None:
        """The normalised ``url`` if it should be fetched at ``depth``, else None."""
        normal = normalize_url(url)
        reason = None
        if normal is None:
            reason = "invalid"
        elif normal in self._seen:
            reason = "seen"
        elif depth > self.max_depth:
            reason = "depth"
        elif len(self._seen) >= self.max_sitemaps:
            reason = "budget"
        if reason is not None or normal is None:
            self.refused[reason or "invalid"] += 1
            return None
        self._seen.add(normal)
        return normal

    def children(self, sitemap: Sitemap, depth: int) -> list[str]:
        """The child sitemaps of an index read at ``depth`` that should be fetched next."""
        found = (self.admit(entry.url, depth + 1) for entry in sitemap.sitemaps)
        return [url for url in found if url is not None]

    def admit_all(self, urls: Iterable[str], depth: int = 0) -> list[str]:
        """``admit`` for several URLs (seeds, robots.txt), in order."""
        found = (self.admit(url, depth) for url in urls)
        return [url for url in found if url is not None]
