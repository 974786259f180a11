"""The crawl engine against a real local site: scope, robots, sitemaps, feeds, recrawls, errors.

Every run shares the session's warm extraction pool (``crawl_pool``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from scraper.config import Config
from scraper.crawling.engine import Crawler, Record
from scraper.crawling.jobs import Job
from scraper.crawling.links import RecentCache, extract_links
from scraper.crawling.output import JsonlOutput
from scraper.crawling.store import SQLiteStore, open_store
from scraper.crawling.summary import CrawlSummary
from scraper.errors import ConfigError, InputError, StoreLocked
from scraper.extraction.worker import ExtractionPool
from tests.scraper.crawlsite import CONFIG, FAST, Site, article_html, crawl, later, listing_html
from tests.servers import Reply, Seen, TestServer


@pytest.fixture
def site() -> Iterator[Site]:
    with TestServer() as server:
        yield Site(server)


@pytest.fixture
def run(crawl_pool: ExtractionPool) -> Callable[..., tuple[CrawlSummary, list[Record]]]:
    """``crawl`` on the shared warm pool."""
    return functools.partial(crawl, pool=crawl_pool)


def test_small_site_crawled_fully_in_scope_and_politely(site: Site, run, tmp_path: Path):
    out = tmp_path / "out.jsonl"
    summary, records = run(site.job(tmp_path / "s.sqlite"), out=out)
    urls = sorted(r["url"] for r in records)
    expected = ["/news/a1", "/news/a2", "/news/a3", "/sport/s1", "/sport/s2"]
    assert urls == sorted(site.server.url(p) for p in expected)
    assert site.server.hits("/private/secret") == 0  # robots.txt
    # One download gives both the rules and the Sitemap: line (the sitemap's page is crawled).
    assert site.server.hits("/robots.txt") == 1
    assert site.server.url("/news/a3") in urls
    assert site.server.hits("/news/a1") == 1  # the #comments link is the same page
    assert {r["change"] for r in records} == {"new"}
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["seq"] for r in written] == list(range(1, 6))
    assert sorted(r["url"] for r in written) == urls
    assert summary.new == 5 and summary.failed == 0
    assert summary.robots == 1  # /private/secret: queued, refused at fetch time, counted
    for record in written:
        assert record["first_seen"] and record["last_changed"] and "duplicate_of" in record


def test_second_run_unchanged_then_one_changed(site: Site, run, tmp_path: Path):
    job = site.job(tmp_path / "s.sqlite")
    run(job)
    # Nothing due yet: a rerun right away fetches nothing.
    summary, records = run(job)
    assert (summary.fetched, records) == (0, [])
    # Two days on, every page is due: conditional GETs answer 304.
    hits = site.server.hits("/news/a1")
    summary, records = run(job, clock=later(2))
    assert records == []
    assert summary.unchanged >= 5 and site.server.hits("/news/a1") == hits + 1
    assert site.server.seen("/news/a1")[-1].headers.get("if-none-match")
    # One article changes: exactly one `changed` record.
    site.pages["/news/a2"] = article_html("Budget approved, then amended", 22)
    summary, records = run(job, clock=later(4))
    assert [(r["url"], r["change"]) for r in records] == [(site.server.url("/news/a2"), "changed")]
    assert records[0]["first_seen"] < records[0]["last_changed"]


def test_near_duplicate_gets_duplicate_of(site: Site, run, tmp_path: Path):
    copy = site.pages["/news/a1"].replace("Harbour reopens", "Harbour reopens (copy)")
    site.pages["/news/copy"] = copy
    site.server.route("/news/copy", site._serve)
    site.pages["/news/"] = listing_html(("/news/a1", "/news/a2", "/news/copy"))
    _, records = run(site.job(tmp_path / "s.sqlite"))
    by_url = {r["url"]: r for r in records}
    first, second = by_url[site.server.url("/news/a1")], by_url[site.server.url("/news/copy")]
    originals = {first["duplicate_of"], second["duplicate_of"]}
    assert originals == {None, site.server.url("/news/a1")} or originals == {
        None,
        site.server.url("/news/copy"),
    }


def test_failing_pages_are_counted_and_the_crawl_goes_on(site: Site, run, tmp_path: Path):
    site.server.route("/news/a2", Reply(500, b"boom"))
    site.server.route("/sport/s1", Reply(200, b"slow", delay=3.0))
    # A short deadline: one host is fetched one page at a time, so the whole
    # crawl waits for it.
    short = dataclasses.replace(FAST, timeout=0.8, connect_timeout=0.8, read_timeout=0.8)
    summary, records = run(site.job(tmp_path / "s.sqlite", config=Config(fetch=short)))
    assert summary.errors == {"HTTPStatusError": 1, "DeadlineExceeded": 1}
    assert sorted(r["url"] for r in records) == sorted(
        site.server.url(p) for p in ("/news/a1", "/news/a3", "/sport/s2")
    )


def test_noindex_nofollow_and_canonical(site: Site, run, tmp_path: Path):
    site.pages["/sport/"] = listing_html(
        ("/sport/s1",), extra='<meta name="robots" content="nofollow">'
    )
    site.pages["/news/a2"] = article_html(
        "Budget", 2, extra=f'<link rel="canonical" href="{site.server.url("/news/budget")}">'
    )
    site.pages["/news/budget"] = site.pages["/news/a2"]
    site.server.route("/news/budget", site._serve)
    site.pages["/news/a1"] = article_html(
        "Hidden", 1, extra='<meta name="robots" content="noindex">'
    )
    _, records = run(site.job(tmp_path / "s.sqlite", feeds=()))
    urls = {r["url"] for r in records}
    assert site.server.hits("/sport/s1") == 0  # only linked from a nofollow page
    assert site.server.url("/news/a1") not in urls  # noindex
    assert site.server.url("/news/budget") in urls and site.server.url("/news/a2") not in urls


def test_max_pages_caps_one_run_and_the_next_run_resumes(site: Site, run, tmp_path: Path):
    job = site.job(tmp_path / "s.sqlite", max_pages=3)
    first, _ = run(job)
    assert first.fetched == 3
    total = 3
    for _ in range(5):
        summary, _ = run(job)
        total += summary.fetched
        if summary.fetched == 0:
            break
    assert site.server.hits("/news/a1") == 1
    assert total == 9  # home, 2 sections, 5 articles, and /private/secret (refused)


def test_second_worker_on_a_sqlite_store_is_refused(site: Site, run, tmp_path: Path):
    path = tmp_path / "s.sqlite"
    holder = SQLiteStore(path)
    holder.begin_run("site", "other-worker", exclusive=True)
    try:
        with pytest.raises(StoreLocked, match="already running"):
            run(site.job(path))
    finally:
        holder.end_run("site", "other-worker")
        holder.close()


def test_a_transport_the_job_cannot_have_fails_when_the_crawler_is_built(tmp_path: Path):
    fetch = dataclasses.replace(CONFIG.fetch, transport="aiohttp", http2=True)
    job = Job(name="t", seeds=("http://a.example/",), store=str(tmp_path / "s.sqlite"))
    job = dataclasses.replace(job, config=dataclasses.replace(CONFIG, fetch=fetch))
    store = SQLiteStore(tmp_path / "s.sqlite")
    try:
        with pytest.raises(ConfigError, match="needs the httpx transport"):
            Crawler(job, store, articles=False)
    finally:
        store.close()


def test_catch_up_after_a_crash_writes_exactly_the_live_records(site: Site, run, tmp_path: Path):
    """A record drained from the store (the catch-up after a kill -9) equals the live one.

    Covers the fields a prediction could not know: ``first_seen`` of a changed
    article, and ``duplicate_of``.
    """
    site.pages["/news/copy"] = site.pages["/news/a1"].replace("reopens", "reopens (copy)")
    site.server.route("/news/copy", site._serve)
    site.pages["/news/"] = listing_html(("/news/a1", "/news/a2", "/news/copy"))
    job = site.job(tmp_path / "s.sqlite", feeds=())
    _, first = run(job)  # as if killed before any line reached --out
    site.pages["/news/a2"] = article_html("Budget approved, then amended", 22)
    _, second = run(job, clock=later(2))
    live = json.loads(json.dumps(first + second))
    assert [r["change"] for r in second] == ["changed"]
    assert second[0]["first_seen"] < second[0]["last_changed"]
    assert any(r["duplicate_of"] for r in first)
    store = open_store(job.store)
    try:
        output = JsonlOutput(tmp_path / "caught-up.jsonl", store, job.name)
        output.open()
        output.drain()
        output.close()
    finally:
        store.close()
    lines = (tmp_path / "caught-up.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == live


def test_crawl_without_extraction_follows_links_and_stores_no_article(site: Site, tmp_path: Path):
    """``Crawler(articles=False)``: fetch, robots, links and dedup, no worker, no article."""
    job = site.job(tmp_path / "links.sqlite")
    store = open_store(job.store)
    try:
        crawler = Crawler(job, store, worker_id="w1", articles=False)
        summary = asyncio.run(crawler.run())
        stats = store.stats(job.name)
    finally:
        store.close()
    for path in ("/", "/news/", "/sport/", "/news/a1", "/news/a2", "/news/a3", "/sport/s2"):
        assert site.server.hits(path) == 1, path
    assert site.server.hits("/private/secret") == 0
    assert summary.robots == 1 and summary.failed == 0
    assert (summary.new, summary.no_article, stats.articles) == (0, 0, 0)
    assert summary.links_only == summary.fetched - summary.robots
    # Every URL the store holds was queued by this run, and counted once
    # (pages run concurrently: the count must not lose their adds).
    with sqlite3.connect(job.store) as db:
        (rows,) = db.execute("SELECT COUNT(*) FROM urls").fetchone()
    assert summary.queued == rows
    assert "links only" in summary.report()


def test_link_cache_gives_the_answers_of_the_uncached_path():
    """The cross-page cache of normalised hrefs never changes a page's links."""
    pages = {
        "https://a.example/news/story": '<a href="/x?utm_source=1#t">x</a><a href="rel/y">y</a>'
        '<a href="../up">u</a><a href="//b.example/z">z</a><a href="https://c.example/Q">q</a>',
        "https://a.example/other/deeper/": '<a href="/x">x</a><a href="rel/y">y</a>'
        '<a href="../up">u</a><a href="//b.example/z">z</a><a href="HTTPS://c.example/Q">q</a>',
        "http://b.example/": '<base href="https://d.example/base/"><a href="rel/y">y</a>'
        '<a href="/x">x</a><a href="//b.example/z">z</a><a href="\\\\evil/x">e</a>',
    }
    cache: RecentCache[str, str | None] = RecentCache(3)  # small: generations turn over
    for _ in range(2):
        for url, html in pages.items():
            plain = extract_links(LexborHTMLParser(html), url)
            cached = extract_links(LexborHTMLParser(html), url, cache=cache)
            assert cached == plain, url


def test_an_output_file_on_a_full_disk_is_a_clear_error(site: Site, run, tmp_path: Path):
    """ENOSPC while writing ``--out`` (here /dev/full, a real full device) names the file."""
    job = site.job(tmp_path / "full.sqlite", feeds=())
    run(job)
    store = open_store(job.store)
    try:
        output = JsonlOutput(tmp_path / "out.jsonl", store, job.name)
        output.open()
        output.close()
        full = Path("/dev/full").open("a", encoding="utf-8")  # noqa: SIM115
        output._file = full
        try:
            with pytest.raises(InputError, match=r"out\.jsonl: cannot write the output file"):
                output.drain()
            assert output.last_seq == 0  # nothing counted as written
        finally:
            with contextlib.suppress(OSError):  # closing flushes the buffer again
                full.close()
    finally:
        store.close()


def test_a_slow_host_does_not_hold_up_the_other_hosts(run, tmp_path: Path):
    """Pages of a host whose one connection is busy are not claimed meanwhile.

    Claimed, they would wait for that connection while counting against the
    crawl's concurrency, and every other host would wait with them.
    """
    times: dict[str, list[float]] = {"slow": [], "fast": []}

    def answer(kind: str, delay: float, seed: int) -> Callable[[Seen], Reply]:
        def handler(seen: Seen) -> Reply:
            times[kind].append(time.monotonic())
            body = article_html(f"{kind} story {seed}", seed).encode()
            return Reply(body=body, headers=[("Content-Type", "text/html")], delay=delay)

        return handler

    # Two loopback addresses: politeness keys on the host name, not the port.
    with TestServer() as slow, TestServer(host="127.0.0.3") as fast:
        for i in range(3):
            slow.route(f"/s{i}", answer("slow", 0.8, i))  # under FAST's 1 s read timeout
        for i in range(8):
            fast.route(f"/f{i}", answer("fast", 0.0, 100 + i))
        seeds = tuple(slow.url(f"/s{i}") for i in range(3)) + tuple(
            fast.url(f"/f{i}") for i in range(8)
        )
        fetch = dataclasses.replace(
            FAST,
            concurrency=2,
            per_host_concurrency=1,
            allow_networks=("127.0.0.1/32", "127.0.0.3/32"),
        )
        config = dataclasses.replace(CONFIG, fetch=fetch)
        job = Job(name="two", seeds=seeds, store=str(tmp_path / "two.sqlite"), config=config)
        summary, records = run(job)
    assert len(records) == 11
    second_slow = sorted(times["slow"])[1]
    # Fast pages were asked for while the first slow page was still on its way
    # (held up, none would be: the slow host's next page would hold the budget).
    early = [t for t in times["fast"] if t < second_slow - 0.2]
    assert len(early) >= 4, (times, summary)
