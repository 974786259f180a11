"""Two crawl workers on one PostgreSQL job: every URL fetched once, no article output twice.

Runs only when ``SCRAPER_TEST_PG_URL`` names a server (``eval "$(scripts/postgres.sh)"``);
skipped with that reason otherwise.  Each test gets its own schema.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.crawling.engine import Crawler, Record
from scraper.crawling.output import JsonlOutput
from scraper.crawling.store import open_store
from scraper.crawling.summary import CrawlSummary
from tests.scraper.crawlsite import Site, article_html, listing_html
from tests.scraper.store.conftest import PG_SKIP, PG_URL, with_schema
from tests.servers import TestServer

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_spec() -> Iterator[str]:
    if not PG_URL:
        pytest.skip(PG_SKIP)
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(PG_URL, schema)
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def site() -> Iterator[Site]:
    with TestServer() as server:
        yield Site(server)


def test_two_workers_fetch_every_url_once_and_output_no_duplicates(
    site: Site, pg_spec: str, tmp_path: Path, crawl_pool
):
    # 24 more articles, each answering after 0.1 s, so that both workers get work.
    extra = [f"/news/{i}" for i in range(24)]
    for i, path in enumerate(extra):
        site.pages[path] = article_html(f"Story number {i}", 200 + i)

    def slow(seen):
        return dataclasses.replace(site._serve(seen), delay=0.1)

    for path in extra:
        site.server.route(path, slow)
    site.pages["/news/"] = listing_html(("/news/a1", "/news/a2", *extra))
    job = dataclasses.replace(site.job(tmp_path / "unused.sqlite"), store=pg_spec)
    out = tmp_path / "out.jsonl"
    start = threading.Barrier(2)
    results: dict[str, tuple[CrawlSummary, list[Record]]] = {}
    errors: list[BaseException] = []

    def work(name: str, with_output: bool) -> None:
        store = open_store(pg_spec)  # a store (one connection) per worker
        try:
            records: list[Record] = []
            output = JsonlOutput(out, store, job.name) if with_output else None
            crawler = Crawler(
                job,
                store,
                worker_id=name,
                output=output,
                on_record=records.append,
                processes=2,
                pool=crawl_pool,
            )
            start.wait(10)
            results[name] = (asyncio.run(crawler.run()), records)
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)
        finally:
            store.close()

    threads = [
        threading.Thread(target=work, args=("w1", True)),
        threading.Thread(target=work, args=("w2", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and sorted(results) == ["w1", "w2"]

    summaries = [summary for summary, _ in results.values()]
    assert all(s.fetched > 0 for s in summaries), "both workers took part"
    assert sum(s.failed for s in summaries) == 0
    pages = ["/", "/news/", "/sport/", "/news/a1", "/news/a2", "/news/a3", "/sport/s1"]
    pages += ["/sport/s2", *extra]
    assert {p: site.server.hits(p) for p in pages} == dict.fromkeys(pages, 1)
    assert site.server.hits("/private/secret") == 0  # robots.txt, across workers

    yielded = [r["url"] for _, records in results.values() for r in records]
    assert len(yielded) == len(set(yielded))
    articles = set(yielded)
    # Every article page came out (a long listing may pass for an article too).
    assert {site.server.url(p) for p in pages[3:]} <= articles
    assert articles <= {site.server.url(p) for p in pages}

    # w1's file has what the store had when w1 ended; its next run (here, a
    # catch-up drain) appends the rest: every article once, in seq order.
    store = open_store(pg_spec)
    try:
        catch_up = JsonlOutput(out, store, job.name)
        catch_up.open()
        catch_up.drain()
        catch_up.close()
    finally:
        store.close()
    lines = [line for line in out.read_text(encoding="utf-8").splitlines() if line]
    written = [json.loads(line) for line in lines]
    assert [r["seq"] for r in written] == list(range(1, len(articles) + 1))
    assert sorted(r["url"] for r in written) == sorted(articles)
