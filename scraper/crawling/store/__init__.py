"""Crawl stores: ``open_store(spec)`` picks SQLite for a path, PostgreSQL for a URL.

The interface is ``base.CrawlStore``; ``SQLiteStore`` is the default and needs
nothing but the standard library.  ``PostgresStore`` lives in
``scraper.crawling.store.postgres`` and needs the ``postgres`` extra
(psycopg), imported only when a ``postgresql://`` store is opened.
"""

from __future__ import annotations

import re

from scraper.crawling.store._shared import host_of
from scraper.crawling.store.base import (
    ArticleChange,
    Claim,
    CrawlStore,
    FetchResult,
    JobStats,
    NewURL,
    StoredArticle,
)
from scraper.crawling.store.simhash import simhash
from scraper.crawling.store.sqlite import SQLiteStore
from scraper.errors import ConfigError

__all__ = [
    "ArticleChange",
    "Claim",
    "CrawlStore",
    "FetchResult",
    "JobStats",
    "NewURL",
    "SQLiteStore",
    "StoredArticle",
    "host_of",
    "open_store",
    "redact",
    "simhash",
]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")
_CREDENTIALS = re.compile(r"//[^/@]*@")


def redact(spec: str) -> str:
    """``spec`` without user and password, fit for a message.

    >>> redact("postgresql://crawler:secret@db/crawl"), redact("crawl.sqlite")
    ('postgresql://***@db/crawl', 'crawl.sqlite')
    """
    return _CREDENTIALS.sub("//***@", spec, count=1)


def open_store(spec: str) -> CrawlStore:
    """The store named by ``spec``: a ``postgresql://`` URL, or a SQLite file path.

    Nothing is opened yet (the first call connects), so a bad path or an
    unreachable server shows up as a ``StoreError`` from that call.

    >>> open_store("crawl.sqlite")
    SQLiteStore('crawl.sqlite')
    >>> open_store("mysql://me:secret@db/crawl")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    scraper.errors.ConfigError: unsupported store 'mysql://***@db/crawl': give a SQLite ...
    """
    if spec.startswith(_POSTGRES_SCHEMES):
        try:
            from scraper.crawling.store.postgres import PostgresStore
        except ImportError as exc:
            if not (exc.name or "").startswith("psycopg"):
                raise
            raise ConfigError(
                f"the store {redact(spec)!r} is PostgreSQL, which needs psycopg: "
                "pip install 'tidyscrape[postgres]'"
            ) from exc
        return PostgresStore(spec)
    if spec.startswith("sqlite:///"):
        return SQLiteStore(spec.removeprefix("sqlite:///"))
    if "://" in spec:
        raise ConfigError(
            f"unsupported store {redact(spec)!r}: give a SQLite file path or a postgresql:// URL"
        )
    return SQLiteStore(spec)
