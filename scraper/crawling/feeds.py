"""Feeds: RSS 2.0 (and 0.9x), RSS 1.0 / RDF, Atom (1.0 and 0.3) and JSON Feed (1.0, 1.1).

Pure functions over bytes the crawl engine fetched.  XML goes through
``_xml.XmlStream`` (no entities, no DTD, no network, size-capped,
streamed); JSON is size-capped before ``json.loads``.  Entry URLs are
normalised and resolved against ``xml:base`` where the feed sets one, else
against the feed URL.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Final, Literal

from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from scraper.crawling._xml import (
    FeedError,
    XmlStream,
    decoded,
    localname,
    parse_date,
    read_with_recovery,
    sniff,
    text_of,
)
from scraper.crawling.links import document_base, feed_links
from scraper.crawling.urls import normalize_url

__all__ = [
    "MAX_FEED_ENTRIES",
    "MAX_JSON_FEED_BYTES",
    "Feed",
    "FeedEntry",
    "discover_feeds",
    "parse_feed",
]

logger = logging.getLogger(__name__)

#: Entries read per feed (the sitemap protocol's cap; real feeds carry 10-100).
MAX_FEED_ENTRIES: Final = 50_000
#: JSON is parsed whole, not streamed, and a Python object tree costs ~10x
#: its text: 10 MB keeps a hostile feed within a worker's memory budget.
MAX_JSON_FEED_BYTES: Final = 10 * 1024 * 1024

FeedKind = Literal["rss", "rdf", "atom", "json"]
#: Gives the base URL of an element (``XmlStream.base_of``).
Base = Callable[[etree._Element], str]

_ATOM_NAMESPACES: Final = ("http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#")
_RDF_NAMESPACE: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed."""

    #: The entry's page, normalised.
    url: str
    #: Title text (whitespace collapsed), if any.
    title: str | None = None
    #: When it was first published (UTC), if the feed says.
    published: dt.datetime | None = None
    #: When it was last updated (UTC), if the feed says.
    updated: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    """What a feed lists."""

    #: The URL the feed was fetched from.
    url: str
    kind: FeedKind
    #: The feed's own title, if any.
    title: str | None = None
    #: The site the feed belongs to (RSS ``<link>``, Atom ``rel=alternate``,
    #: JSON ``home_page_url``), normalised.
    site_url: str | None = None
    #: Entries in feed order, deduplicated by URL.
    entries: tuple[FeedEntry, ...] = ()
    #: The entry cap (``MAX_FEED_ENTRIES``) was reached; the rest was not read.
    truncated: bool = False
    #: The XML was malformed and read in recovery mode: entries may be missing.
    recovered: bool = False
    #: Entries dropped because they had no http(s) URL.
    skipped: int = 0


class _Entries:
    """Entries of one feed: deduplicated by URL, capped."""

    def __init__(self) -> None:
        self.entries: dict[str, FeedEntry] = {}
        self.skipped = 0
        self.truncated = False

    def add(self, entry: FeedEntry | None) -> bool:
        """Add one entry (None: skipped); False once the cap is reached (stop reading)."""
        if entry is None:
            self.skipped += 1
        elif entry.url not in self.entries:
            if len(self.entries) >= MAX_FEED_ENTRIES:
                self.truncated = True
                return False
            self.entries[entry.url] = entry
        return True


def _children(element: etree._Element) -> dict[str, etree._Element]:
    """First child per local name (feeds repeat few elements that matter).

    An ``<atom:link href>`` inside an RSS item is kept as "atom-link", so that
    it cannot hide the item's own ``<link>`` text.
    """
    found: dict[str, etree._Element] = {}
    for child in element:
        name = localname(child.tag)
        if name == "link" and child.get("href") is not None:
            name = "atom-link"
        found.setdefault(name, child)
    return found


def _date(children: dict[str, etree._Element], *names: str) -> dt.datetime | None:
    for name in names:
        child = children.get(name)
        if child is not None and (value := parse_date(child.text)):
            return value
    return None


def _atom_link(element: etree._Element, base: Base) -> str | None:
    """The ``rel=alternate`` (or rel-less) link of an Atom feed or entry, resolved."""
    best: str | None = None
    for child in element:
        if localname(child.tag) != "link" or not child.get("href"):
            continue
        if child.get("rel", "alternate").strip().lower() != "alternate":
            continue
        url = normalize_url(child.get("href", ""), base(child))
        kind = child.get("type", "text/html").lower()
        if url is not None and ("html" in kind):
            return url
        best = best or url
    return best


def _rss_entry(item: etree._Element, base: Base) -> FeedEntry | None:
    children = _children(item)
    candidates: list[str | None] = []
    # feedburner:origLink is the article behind a feedproxy redirect link.
    for name in ("origLink", "link"):
        child = children.get(name)
        if child is not None:
            candidates.append(child.text)
    guid = children.get("guid")
    if guid is not None and guid.get("isPermaLink", "true").strip().lower() != "false":
        candidates.append(guid.text)
    candidates.append(item.get(f"{{{_RDF_NAMESPACE}}}about"))  # RSS 1.0
    url = next(
        (u for c in candidates if c and (u := normalize_url(c.strip(), base(item)))), None
    ) or _atom_link(item, base)
    if url is None:
        return None
    title = children.get("title")
    return FeedEntry(
        url=url,
        title=text_of(title) if title is not None else None,
        published=_date(children, "pubDate", "date", "issued", "published"),
        updated=_date(children, "updated", "modified"),
    )


def _atom_entry(entry: etree._Element, base: Base) -> FeedEntry | None:
    children = _children(entry)
    url = _atom_link(entry, base)
    if url is None and (ident := children.get("id")) is not None and ident.text:
        url = normalize_url(ident.text.strip())  # an id that is an http URL is the permalink
    if url is None:
        return None
    title = children.get("title")
    return FeedEntry(
        url=url,
        title=text_of(title) if title is not None else None,
        published=_date(children, "published", "issued", "created"),
        updated=_date(children, "updated", "modified"),
    )


def _kind(root: etree._Element, url: str) -> FeedKind:
    qname = etree.QName(root)
    if qname.localname == "rss":
        return "rss"
    if qname.localname == "RDF" and qname.namespace == _RDF_NAMESPACE:
        return "rdf"
    if qname.localname == "feed" and qname.namespace in _ATOM_NAMESPACES:
        return "atom"
    raise FeedError(f"{url}: not a feed (root element <{qname.localname}>)")


def _read_xml(stream: XmlStream) -> Feed:
    kind: FeedKind | None = None
    title: str | None = None
    site: str | None = None
    found = _Entries()
    for event, element, depth in stream:
        if event == "start":
            if depth == 0:
                kind = _kind(element, stream.url)
                stream.entry_depth = 2 if kind == "rss" else 1
            continue
        name = localname(element.tag)
        if depth == stream.entry_depth and name in ("item", "entry"):
            reader = _atom_entry if kind == "atom" else _rss_entry
            entry = reader(element, stream.base_of)
            if not found.add(entry):
                break
        elif kind == "rss" and depth == 2 and name in ("title", "link") and not element.get("href"):
            title, site = _channel_field(name, element, title, site, stream.base_of)
        elif kind == "rdf" and depth == 1 and name == "channel":
            for child in element:
                title, site = _channel_field(
                    localname(child.tag), child, title, site, stream.base_of
                )
        elif kind == "atom" and depth == 1 and name == "title":
            title = title or text_of(element)
        elif kind == "atom" and depth == 1 and name == "link" and site is None:
            rel = (element.get("rel") or "alternate").strip().lower()
            site = (
                normalize_url(element.get("href") or "", stream.base_of(element))
                if rel == "alternate"
                else None
            )
    if kind is None:
        raise FeedError(f"{stream.url}: no XML element found; not a feed")
    return Feed(
        url=stream.url,
        kind=kind,
        title=title,
        site_url=site,
        entries=tuple(found.entries.values()),
        truncated=found.truncated or stream.truncated,
        skipped=found.skipped,
    )


def _channel_field(
    name: str, element: etree._Element, title: str | None, site: str | None, base: Base
) -> tuple[str | None, str | None]:
    if name == "title":
        return title or text_of(element), site
    if name == "link" and element.text:
        return title, site or normalize_url(element.text.strip(), base(element))
    return title, site


def _text(value: object) -> str | None:
    return " ".join(value.split())[:2000] or None if isinstance(value, str) else None


def _read_json(content: bytes, url: str) -> Feed:
    try:
        document = json.loads(decoded(content, url, MAX_JSON_FEED_BYTES))
    except (ValueError, RecursionError) as exc:  # RecursionError: [[[[... nested past the limit
        raise FeedError(f"{url}: not valid JSON ({exc.__class__.__name__}: {exc})") from exc
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise FeedError(f"{url}: JSON but not a JSON Feed (no jsonfeed.org version)")
    found = _Entries()
    items = document.get("items")
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            found.add(None)
            continue
        link = item.get("url") or item.get("external_url")
        entry_url = normalize_url(link, url) if isinstance(link, str) else None
        entry = None
        if entry_url is not None:
            entry = FeedEntry(
                url=entry_url,
                title=_text(item.get("title")),
                published=parse_date(_text(item.get("date_published"))),
                updated=parse_date(_text(item.get("date_modified"))),
            )
        if not found.add(entry):
            break
    home = document.get("home_page_url")
    return Feed(
        url=url,
        kind="json",
        title=_text(document.get("title")),
        site_url=normalize_url(home, url) if isinstance(home, str) else None,
        entries=tuple(found.entries.values()),
        truncated=found.truncated,
        skipped=found.skipped,
    )


def parse_feed(content: bytes, url: str) -> Feed:
    """Read an RSS, RDF, Atom or JSON feed (gzipped or not) into its entries.

    Why: feeds list a site's newest articles with dates, the cheapest way to
    find what is new since the last run.  The format is sniffed from the
    bytes, not the Content-Type (servers get it wrong).  Raises ``FeedError``
    for what is not a feed or cannot be read safely.

    >>> feed = parse_feed(b'<rss version="2.0"><channel><title>News</title>'
    ...     b'<item><title>One</title><link>/2024/one?utm_medium=rss</link>'
    ...     b'<pubDate>Tue, 18 Jun 2024 10:30:00 +0000</pubDate></item></channel></rss>',
    ...     "https://example.com/feed/")
    >>> feed.kind, feed.title, [(e.url, e.title) for e in feed.entries]
    ('rss', 'News', [('https://example.com/2024/one', 'One')])
    """
    if sniff(content, url) == "json":
        return _read_json(content, url)
    feed, recovered = read_with_recovery(_read_xml, content, url, "feed")
    if recovered:
        logger.debug("feed %s is malformed XML; read in recovery mode", url)
        feed = replace(feed, recovered=True)
    return feed


def discover_feeds(tree: LexborHTMLParser, page_url: str) -> tuple[str, ...]:
    """Feed URLs a page announces (``<link rel=alternate type=...>``), normalised.

    >>> discover_feeds(LexborHTMLParser('<link rel="alternate" type="application/rss+xml" '
    ...     'href="/feed/"><link rel="alternate" hreflang="de" href="/de/">'), "https://a.example/x")
    ('https://a.example/feed/',)
    """
    return feed_links(tree, document_base(tree, page_url))
