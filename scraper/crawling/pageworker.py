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
from scraper.crawling.links import PageLinks, extract_links
from scraper.crawling.store.simhash import simhash
from scraper.errors import ExtractionError

__all__ = ["PageAnalysis", "analyze_page", "fingerprint"]


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

    Runs in a worker process (``ExtractionPool(task=analyze_page)``).  Links
    are read from a lexbor tree (about a millisecond); the article comes from
    ``extract_article``, which parses on its own.
    """
    # Imported here, not at the top: the crawl's main process imports this
    # module only to name the task, and must not pay for trafilatura (a
    # third of a second and tens of MB) that only the workers use.  In a
    # worker it is already loaded (the pool's forkserver preloads it).
    from scraper.extraction.article import decode_html, extract_article

    source = decode_html(html, encoding)
    links: PageLinks | None = None
    if url is not None:
        try:
            links = extract_links(LexborHTMLParser(source), url, agent=config.fetch.user_agent)
        except (ValueError, TypeError):  # selectolax refuses some inputs (NUL-only...)
            links = None
    try:
        article = extract_article(source, url, config)
    except ExtractionError as exc:
        return PageAnalysis(links, error_type=type(exc).__name__, error_message=str(exc))
    return PageAnalysis(
        links,
        record=article.to_dict(),
        fingerprint=fingerprint(article.text),
        simhash=simhash(article.text),
    )
