"""tidyscrape: fetch web pages and get back clean article text with its metadata.

Public API (synchronous)::

    import scraper
    page = scraper.fetch("https://example.org/news/1")      # -> Page
    article = scraper.extract(page.text, url=page.final_url)  # -> Article
    article = scraper.extract_url("https://example.org/news/1")

Every error raised derives from :class:`scraper.ScraperError`.  Heavy imports
(httpx, trafilatura) happen on first use, so ``import scraper`` stays cheap.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scraper.config import Config, ExtractConfig, FetchConfig
from scraper.errors import (
    BlockedAddress,
    BodyTooLarge,
    ConfigError,
    DeadlineExceeded,
    ExtractionError,
    FeedError,
    FeedTooLarge,
    FetchError,
    HTTPStatusError,
    InputError,
    NetworkError,
    NoArticleError,
    RetryLaterError,
    RobotsDisallowed,
    ScraperError,
    StoreError,
    StoreLocked,
    TooManyRedirects,
    UnsupportedContent,
)
from scraper.models import SCHEMA_VERSION, Article, Page

if TYPE_CHECKING:
    from cleaners.config import CleanerConfig

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "BlockedAddress",
    "BodyTooLarge",
    "CleanerConfig",
    "Config",
    "ConfigError",
    "DeadlineExceeded",
    "ExtractConfig",
    "ExtractionError",
    "FeedError",
    "FeedTooLarge",
    "FetchConfig",
    "FetchError",
    "HTTPStatusError",
    "InputError",
    "NetworkError",
    "NoArticleError",
    "Page",
    "RetryLaterError",
    "RobotsDisallowed",
    "ScraperError",
    "StoreError",
    "StoreLocked",
    "TooManyRedirects",
    "UnsupportedContent",
    "__version__",
    "extract",
    "extract_url",
    "fetch",
]

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())


def __getattr__(name: str) -> object:
    if name == "CleanerConfig":
        from cleaners.config import CleanerConfig

        return CleanerConfig
    raise AttributeError(f"module 'scraper' has no attribute {name!r}")


def fetch(url: str, *, config: Config | None = None) -> Page:
    """Fetch ``url`` politely and return the decoded final response.

    Retries timeouts, connection errors, 429 and 5xx; obeys robots.txt unless
    ``config.fetch.obey_robots`` is false.  Raises a :class:`FetchError`.
    """
    import asyncio

    from scraper.fetching.client import Fetcher

    cfg = config or Config()

    async def run() -> Page:
        async with Fetcher(cfg.fetch) as fetcher:
            return await fetcher.fetch(url)

    # The fetcher is async inside; this is the synchronous door to it (so it
    # cannot be called from a running event loop: use Fetcher there).
    return asyncio.run(run())


def extract(html: str | bytes, url: str | None = None, *, config: Config | None = None) -> Article:
    """Extract the article of one HTML document (``str``, or ``bytes`` of any charset).

    Raises :class:`NoArticleError` when the page holds no article.
    """
    from scraper.extraction.article import extract_article

    return extract_article(html, url, config or Config())


def extract_url(url: str, *, config: Config | None = None) -> Article:
    """Fetch ``url`` and extract its article: :func:`fetch` then :func:`extract`.

    The extraction runs in a worker process killed at its deadline
    (``config.extract.timeout``), so hostile markup cannot hang the caller.
    """
    from scraper.extraction.worker import extract_in_worker

    cfg = config or Config()
    page = fetch(url, config=cfg)
    return extract_in_worker(page.content, page.final_url, cfg, encoding=page.encoding)
