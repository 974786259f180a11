"""tidyscrape: fetch web pages and get back clean article text with its metadata.

Public API (synchronous)::

    import scraper
    page = scraper.fetch("https://example.org/news/1")      # -> Page
    article = scraper.extract(page.text, url=page.final_url)  # -> Article
    article = scraper.extract_url("https://example.org/news/1")
    for record in scraper.crawl("news.toml"):                 # one crawl run
        print(record["change"], record["url"])

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
    ContentEncodingError,
    DeadlineExceeded,
    ExtractionError,
    FeedError,
    FeedTooLarge,
    FetchError,
    HeadersTooLarge,
    HTTPStatusError,
    InputError,
    InvalidURL,
    NetworkError,
    NoArticleError,
    RetryLaterError,
    RobotsDisallowed,
    ScraperError,
    StoreError,
    StoreLocked,
    TooManyRedirects,
    TruncatedBody,
    UndecodableContent,
    UnsupportedContent,
)
from scraper.models import SCHEMA_VERSION, Article, Page

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any

    from cleaners.config import CleanerConfig
    from scraper.crawling.jobs import Job

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "BlockedAddress",
    "BodyTooLarge",
    "CleanerConfig",
    "Config",
    "ConfigError",
    "ContentEncodingError",
    "DeadlineExceeded",
    "ExtractConfig",
    "ExtractionError",
    "FeedError",
    "FeedTooLarge",
    "FetchConfig",
    "FetchError",
    "HTTPStatusError",
    "HeadersTooLarge",
    "InputError",
    "InvalidURL",
    "NetworkError",
    "NoArticleError",
    "Page",
    "RetryLaterError",
    "RobotsDisallowed",
    "ScraperError",
    "StoreError",
    "StoreLocked",
    "TooManyRedirects",
    "TruncatedBody",
    "UndecodableContent",
    "UnsupportedContent",
    "__version__",
    "crawl",
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

    It runs in-process, with no deadline, and trusts the markup it is given:
    binary data raises :class:`UnsupportedContent`, but absurd nesting or an
    attribute flood (100,000 levels, 100,000 attributes) would hold the
    parser in one uninterruptible C call for seconds or minutes.  For pages
    you did not write, use :func:`extract_url` or an ``ExtractionPool`` (a
    worker that screens every document and is killed at its deadline, as
    ``scraper extract`` and crawls do), or pass the document through
    ``scraper.extraction.guard.screen_document`` first (about 1 ms a page).

    Raises :class:`NoArticleError` when the page holds no article.
    """
    from scraper.extraction.article import extract_article
    from scraper.extraction.guard import refuse_binary

    refuse_binary(html, url)
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


def crawl(job: Job | str | Path, *, max_pages: int | None = None) -> Iterator[dict[str, Any]]:
    """Run one crawl of ``job`` (a ``Job``, or the path of a TOML job file) and yield its records.

    Each record is an extract record plus ``change`` ("new" or "changed"),
    ``first_seen``, ``last_changed``, ``duplicate_of`` and ``seq``: the new
    and changed articles of this run, as they are stored.  The run is the
    one ``scraper crawl JOB.toml`` makes: same store (so it resumes where
    the last run ended), and the job's ``output`` file, if it names one, is
    appended to as well.  ``max_pages`` caps the pages fetched in this run.

    A bad job file raises :class:`ConfigError` here; the crawl starts on the
    first ``next()``.  Closing the generator early (``break``) stops the
    crawl cleanly: pages in flight go back to the store for the next run.
    Run errors (:class:`StoreLocked`, :class:`StoreError`) are raised from
    the iteration.  The crawl runs on its own thread and event loop; waiting
    for the next record blocks, so from async code iterate it in a thread.
    """
    from scraper.crawling.runs import iter_records, resolve_job

    return iter_records(resolve_job(job, max_pages=max_pages))
