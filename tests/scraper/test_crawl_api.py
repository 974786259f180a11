"""``scraper.crawl`` (a generator over the async engine) and the scheduler, in-process."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import scraper
from scraper.crawling.runs import iter_records
from scraper.crawling.schedule import RunOutcome, Scheduler
from scraper.crawling.store import SQLiteStore
from scraper.errors import ConfigError, StoreLocked
from tests.scraper.crawlsite import Site
from tests.servers import TestServer

ARTICLES = ("/news/a1", "/news/a2", "/news/a3", "/sport/s1", "/sport/s2")


@pytest.fixture
def site() -> Iterator[Site]:
    with TestServer() as server:
        yield Site(server)


def test_scraper_crawl_takes_a_job_file_and_yields_one_run(site: Site, tmp_path: Path):
    path = tmp_path / "news.toml"
    path.write_text(
        f'[job]\nseeds = ["{site.server.url("/")}"]\n'
        "[politeness]\ndelay = 0\ntimeout = 2\nretries = 1\n"
        'allow_networks = ["127.0.0.1/32"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="max_pages must be at least 1"):
        scraper.crawl(path, max_pages=0)  # at the call, before any crawling
    with pytest.raises(ConfigError, match="is a URL, not a job file"):
        scraper.crawl(site.server.url("/"))
    records = list(scraper.crawl(str(path)))
    expected = sorted(site.server.url(p) for p in ("/news/a1", "/news/a2", "/news/a3", "/sport/s1"))
    assert sorted(r["url"] for r in records) == expected  # no feed in this job
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    assert {r["change"] for r in records} == {"new"}
    assert (tmp_path / "news.sqlite").exists()  # the job's default store: the next run resumes
    assert list(scraper.crawl(path)) == []  # nothing due


def test_closing_the_generator_early_stops_the_crawl_and_releases_leases(
    site: Site, tmp_path: Path, crawl_pool
):
    def slow(seen):
        return dataclasses.replace(site._serve(seen), delay=0.3)

    for path in ARTICLES:
        site.server.route(path, slow)
    job = site.job(tmp_path / "s.sqlite")
    records = iter_records(job, pool=crawl_pool)
    first = next(records)
    started = time.monotonic()
    records.close()
    assert time.monotonic() - started < 5
    store = SQLiteStore(job.store)
    try:
        stats = store.stats(job.name)
    finally:
        store.close()
    assert stats.leased == 0 and stats.last_run_finished is not None
    assert stats.due > 0  # claimed but unfinished: due again at once
    rest = list(iter_records(job, pool=crawl_pool))
    yielded = [first["url"], *(r["url"] for r in rest)]
    assert len(yielded) == len(set(yielded))  # none twice
    store = SQLiteStore(job.store)
    try:
        stored = [a.url for a in store.iter_articles(job.name)]
    finally:
        store.close()
    # None lost: every article is stored once.  (One stored in the instant of
    # closing is in the store and any --out file, but was not yielded.)
    assert sorted(stored) == sorted(site.server.url(p) for p in ARTICLES)
    assert set(yielded) <= set(stored) and len(yielded) >= len(ARTICLES) - 1
    # What was in flight at the close was fetched again by the next run, once.
    assert all(1 <= site.server.hits(p) <= 2 for p in ARTICLES)


def test_run_errors_are_raised_in_the_consumer(site: Site, tmp_path: Path, crawl_pool):
    job = site.job(tmp_path / "s.sqlite")
    holder = SQLiteStore(job.store)
    holder.begin_run(job.name, "other", exclusive=True)
    try:
        with pytest.raises(StoreLocked, match="already running"):
            list(iter_records(job, pool=crawl_pool))
    finally:
        holder.end_run(job.name, "other")
        holder.close()


def test_scheduler_waits_for_the_due_time_and_stops_at_once(site: Site, tmp_path: Path):
    job = site.job(tmp_path / "s.sqlite", every=3600.0)
    store = SQLiteStore(job.store)
    store.begin_run(job.name, "cron", exclusive=True)  # ran just now: due in an hour
    store.end_run(job.name, "cron")
    store.close()
    outcomes: list[RunOutcome] = []
    scheduler = Scheduler([job], on_run=outcomes.append)
    assert asyncio.run(_once(scheduler)) == []  # --once: nothing due, nothing run

    async def stop_soon() -> float:
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, scheduler.stop)
        started = time.monotonic()
        await scheduler.run()
        return time.monotonic() - started

    scheduler = Scheduler([job], on_run=outcomes.append)
    assert asyncio.run(stop_soon()) < 2
    assert outcomes == [] and site.server.hits("/") == 0


async def _once(scheduler: Scheduler) -> list[RunOutcome]:
    seen: list[RunOutcome] = []
    scheduler._on_run = seen.append
    await scheduler.run(once=True)
    return seen
