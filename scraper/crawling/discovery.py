"""Discovery: where a crawl finds URLs to fetch, in one import.

Links of pages (``links``), sitemaps (``sitemaps``) and feeds (``feeds``),
all normalised by ``urls.normalize_url``.  Every function here is pure: the
crawl engine fetches, then calls them on the bytes or the parsed tree.

    from scraper.crawling import discovery
    page = discovery.extract_links(tree, url)
    sitemap = discovery.parse_sitemap(body, url)     # raises FeedError / FeedTooLarge
    feed = discovery.parse_feed(body, url)

``FeedError`` (and its subclass ``FeedTooLarge``) derive from
``scraper.errors.ExtractionError``; they live in ``_xml`` until the error
tree in ``scraper/errors.py`` takes them in.
"""

from __future__ import annotations

from scraper.crawling._xml import MAX_DOCUMENT_BYTES, FeedError, FeedTooLarge, parse_date
from scraper.crawling.feeds import Feed, FeedEntry, discover_feeds, parse_feed
from scraper.crawling.links import (
    MAX_LINKS_PER_PAGE,
    PageLinks,
    document_base,
    extract_links,
    robots_directives,
)
from scraper.crawling.sitemaps import (
    MAX_SITEMAP_ENTRIES,
    USUAL_SITEMAP_PATHS,
    Sitemap,
    SitemapEntry,
    SitemapWalk,
    parse_sitemap,
    sitemap_urls,
    sitemap_urls_from_robots,
    usual_sitemap_urls,
)

__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_LINKS_PER_PAGE",
    "MAX_SITEMAP_ENTRIES",
    "USUAL_SITEMAP_PATHS",
    "Feed",
    "FeedEntry",
    "FeedError",
    "FeedTooLarge",
    "PageLinks",
    "Sitemap",
    "SitemapEntry",
    "SitemapWalk",
    "discover_feeds",
    "document_base",
    "extract_links",
    "parse_date",
    "parse_feed",
    "parse_sitemap",
    "robots_directives",
    "sitemap_urls",
    "sitemap_urls_from_robots",
    "usual_sitemap_urls",
]
