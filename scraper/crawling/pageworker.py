"""What a crawl's worker processes do with one fetched page: article AND links.

Why one function: the fetch loop must never wait for parsing (a 100 KB page
costs milliseconds of C parsing, a hostile one seconds), so everything that
reads the HTML runs here, in an ``ExtractionPool`` worker, and the loop gets
back one small picklable :class:`PageAnalysis`: the article record, its
fingerprints, and the links, canonical URL and meta robots directives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from scraper.config import Config
from scraper.crawling.links import PageLinks, RecentCache, extract_links
from scraper.crawling.store.simhash import simhash
from scraper.errors import ExtractionError

__all__ = [
    "WARM_UP_PAGE",
    "WARM_UP_URL",
    "PageAnalysis",
    "analyze_links",
    "analyze_page",
    "fingerprint",
]

#: A short article each new worker of a crawl analyses first, so that its
#: first-use costs (the language model and word lists: ~0.1 s) are paid while the crawl
#: seeds, not by the first real page.  An article, so that every step runs.
WARM_UP_PAGE = (
    "<!DOCTYPE html><html lang=en><head><title>Harbour reopens after the storm</title>"
    '<meta name="author" content="Ann Example"></head><body><article>'
    "<h1>Harbour reopens after the storm</h1>"
    + "".join(
        f"<p>The harbour of the town reopened on Monday morning, {n} days after the storm "
        "damaged the outer wall. The council said that the repairs had cost less than "
        "expected, and that the ferries would run on their usual timetable again.</p>"
        for n in range(2, 6)
    )
    + '<a href="/news/">More news</a></article></body></html>'
)
#: The URL the warm-up page is analysed under (reserved: never fetched).
WARM_UP_URL = "https://warm-up.invalid/news/harbour-reopens"

#: PROCESS-WIDE CACHE (the one piece of module state here, on purpose): the
#: normalised hrefs a worker process has seen, shared by the pages it
#: analyses.  A worker serves one crawl's pages, which repeat most of their
#: links; ``RecentCache`` bounds it (LINK_CACHE_SIZE entries per generation)
#: and its answers depend only on its keys, so sharing it is always correct.
_WORKER_LINKS: RecentCache[str, str | None] = RecentCache()


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """One page, read once in a worker process."""

    #: Links, canonical, feeds and meta robots; None when the HTML could not be parsed.
    links: PageLinks | None
    #: ``Article.to_dict()``, or None when the page holds no article.
    record: dict[str, Any] | None = None
    #: Hash of the cleaned text: equal fingerprints mean an unchanged article.
    fingerprint: str | None = None
    #: Simhash of the cleaned text, for near-duplicates across URLs.
    simhash: int = 0
    #: Why there is no article: the ExtractionError class name and message.
    error_type: str | None = None
    error_message: str | None = None


def fingerprint(text: str) -> str:
    """The content fingerprint of an article's text (whitespace-insensitive).

    Why the text and not the bytes: pages change on every request (ads,
    timestamps, CSRF tokens) while the article stays the same.

    >>> fingerprint("a  b\\n") == fingerprint("a b")
    True
    """
    return hashlib.blake2b(" ".join(text.split()).encode(), digest_size=16).hexdigest()


def analyze_page(
    html: bytes | str, url: str | None, config: Config, *, encoding: str | None = None
) -> PageAnalysis:
    """Links and article of one page; a page without an article is not an error here.

    Runs in a worker process (``ExtractionPool(task=analyze_page)``).  The
    page is parsed once: links are read from the lexbor tree, which then goes
    to ``article_from_tree``.
    """
    # Imported here, not at the top: a crawl without extraction imports
    # this module too (analyze_links), and must not pay for trafilatura
    # (0.17 s, 9 MiB) that only the workers use.  In a worker it is already
    # loaded: forked from a crawl that imported it (Crawler), or preloaded
    # by the pool's forkserver.
    from scraper.extraction.article import article_from_tree, decode_html, parse_document

    try:
        tree = parse_document(decode_html(html, encoding))
    except ExtractionError as exc:  # empty, or refused by selectolax: no links either
        return PageAnalysis(None, error_type=type(exc).__name__, error_message=str(exc))
    # Links first: article_from_tree consumes the tree (strips its chrome).
    links = (
        None
        if url is None
        else extract_links(tree, url, agent=config.fetch.user_agent, cache=_WORKER_LINKS)
    )
    try:
        article = article_from_tree(tree, url, config)
    except ExtractionError as exc:
        return PageAnalysis(links, error_type=type(exc).__name__, error_message=str(exc))
    return PageAnalysis(
        links,
        record=article.to_dict(),
        fingerprint=fingerprint(article.text),
        simhash=simhash(article.text),
    )


def analyze_links(
    text: str, url: str, config: Config, cache: RecentCache[str, str | None] | None = None
) -> PageAnalysis:
    """Links of one already decoded page, no article: a crawl without extraction.

    Why in the crawl's own process and not in a worker: reading the links is
    one lexbor parse (about a millisecond for a news page), cheaper than
    sending the page to a worker and its links back.  lexbor parses
    iteratively, so a deeply nested page costs time linear in its size,
    which the fetcher's body cap bounds.  ``cache``: see ``extract_links``.
    """
    try:
        tree = LexborHTMLParser(text)
        links = extract_links(tree, url, agent=config.fetch.user_agent, cache=cache)
    except (ValueError, TypeError):  # selectolax refuses some inputs (NUL-only...)
        return PageAnalysis(None)
    return PageAnalysis(links)
