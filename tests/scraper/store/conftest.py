"""Store fixtures: every contract test runs on a fresh SQLite file and a fresh PostgreSQL schema.

PostgreSQL runs only when ``SCRAPER_TEST_PG_URL`` names a database the tests
may create schemas in (``eval "$(scripts/postgres.sh)"`` starts one); each
test gets its own schema, dropped afterwards.  Without it those tests skip
with a visible reason.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scraper.crawling.store import CrawlStore, open_store

PG_URL = os.environ.get("SCRAPER_TEST_PG_URL")
PG_SKIP = "PostgreSQL not configured: set SCRAPER_TEST_PG_URL"


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema`` (libpq's ``options`` parameter)."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """What ``open_store`` takes for a fresh, empty store of each backend."""
    if request.param == "sqlite":
        yield str(tmp_path / "crawl.sqlite")
        return
    if not PG_URL:
        pytest.skip(PG_SKIP)
    import psycopg  # the postgres extra; a configured server without it is an error

    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(PG_URL, schema)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def open_new(store_spec: str) -> Iterator[Callable[[], CrawlStore]]:
    """Open another store object on the same database: a second worker."""
    opened: list[CrawlStore] = []

    def make() -> CrawlStore:
        store = open_store(store_spec)
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(open_new: Callable[[], CrawlStore]) -> CrawlStore:
    return open_new()


@pytest.fixture
def now() -> dt.datetime:
    """The wall clock at the start of the test (``release`` and ``end_run`` use the wall clock)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)
