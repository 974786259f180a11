"""The crawl engine against a real local site: scope, robots, sitemaps, feeds, recrawls, errors."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scraper.config import Config, FetchConfig
from scraper.crawling.engine import Crawler, Record
from scraper.crawling.jobs import Job
from scraper.crawling.output import JsonlOutput
from scraper.crawling.store import SQLiteStore, open_store
from scraper.crawling.summary import CrawlSummary
from scraper.errors import StoreLocked
from tests.servers import Reply, Seen, TestServer, robots

FAST = FetchConfig(
    timeout=2.0,
    connect_timeout=1.0,
    read_timeout=1.0,
    retries=1,
    backoff=0.01,
    backoff_max=0.02,
    retry_after_cap=0.5,
    trust_env=False,
    per_host_delay=0.0,
    concurrency=8,
)

_WORDS = [
    "council",
    "harbour",
    "railway",
    "budget",
    "museum",
    "river",
    "festival",
    "school",
    "bridge",
    "market",
    "hospital",
    "library",
    "tram",
    "station",
    "mayor",
    "region",
    "garden",
    "theatre",
    "winter",
    "summer",
    "farmers",
    "energy",
    "water",
    "housing",
    "students",
    "workers",
    "tourists",
    "village",
    "ferry",
    "tunnel",
]


def article_html(title: str, seed: int, links: tuple[str, ...] = (), extra: str = "") -> str:
    """A plausible news article: a headline and six paragraphs of seeded prose."""
    rng = random.Random(seed)
    paragraphs = []
    for _ in range(6):
        words = [rng.choice(_WORDS) for _ in range(40)]
        paragraphs.append("<p>" + " ".join(words).capitalize() + ".</p>")
    nav = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return (
        f"<html><head><title>{title}</title>{extra}</head><body><nav>{nav}</nav>"
        f"<article><h1>{title}</h1>{''.join(paragraphs)}{extra and ''}</article></body></html>"
    )


def listing_html(links: tuple[str, ...], extra: str = "") -> str:
    items = "".join(f'<li><a href="{href}">more</a></li>' for href in links)
    return f"<html><head><title>Front</title>{extra}</head><body><ul>{items}</ul></body></html>"


class Site:
    """A small news site: home, two sections, articles, robots.txt, a sitemap, a feed.

    Pages live in ``pages`` (path -> html) and may be changed between runs;
    every page answers 304 to a matching If-None-Match.
    """

    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.pages: dict[str, str] = {
            "/": listing_html(
                (
                    "/news/",
                    "/sport/",
                    "/private/secret",
                    "http://elsewhere.invalid/x",
                    "/news/a1#comments",
                )
            ),
            "/news/": listing_html(("/news/a1", "/news/a2?utm_source=home", "/")),
            "/sport/": listing_html(("/sport/s1",)),
            "/news/a1": article_html("Harbour reopens", 1, ("/news/",)),
            "/news/a2": article_html("Budget approved", 2),
            "/news/a3": article_html("Only in the sitemap", 3),
            "/sport/s1": article_html("Derby tonight", 4),
            "/sport/s2": article_html("Only in the feed", 5),
            "/private/secret": article_html("Secret", 6),
        }
        for path in self.pages:
            server.route(path, self._serve)
        server.route(
            "/robots.txt",
            robots(f"User-agent: *\nDisallow: /private/\nSitemap: {server.url('/sitemap.xml')}\n"),
        )
        sitemap = (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{server.url('/news/a3')}</loc></url></urlset>"
        )
        server.route(
            "/sitemap.xml", Reply(200, sitemap.encode(), [("Content-Type", "application/xml")])
        )
        feed = (
            '<rss version="2.0"><channel><title>Sport</title>'
            f"<item><link>{server.url('/sport/s2')}</link></item></channel></rss>"
        )
        server.route(
            "/feed.xml", Reply(200, feed.encode(), [("Content-Type", "application/rss+xml")])
        )

    def _serve(self, seen: Seen) -> Reply:
        path = seen.path.split("?")[0]
        body = self.pages[path].encode()
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if seen.headers.get("if-none-match") == etag:
            return Reply(304, b"", [("ETag", etag)])
        return Reply(200, body, [("Content-Type", "text/html; charset=utf-8"), ("ETag", etag)])

    def job(self, store: Path, **changes: object) -> Job:
        base = Job(
            name="site",
            seeds=(self.server.url("/"),),
            feeds=(self.server.url("/feed.xml"),),
            store=str(store),
            config=Config(fetch=FAST),
        )
        return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def site() -> Iterator[Site]:
    with TestServer() as server:
        yield Site(server)


def crawl(
    job: Job,
    *,
    out: Path | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    worker_id: str = "w1",
) -> tuple[CrawlSummary, list[Record]]:
    """One run of one worker; returns its summary and the records it produced."""
    records: list[Record] = []
    store = open_store(job.store)
    try:
        output = None if out is None else JsonlOutput(out, store, job.name)
        kwargs = {} if clock is None else {"clock": clock}
        crawler = Crawler(
            job,
            store,
            worker_id=worker_id,
            output=output,
            on_record=records.append,
            processes=2,
            **kwargs,  # type: ignore[arg-type]
        )
        summary = asyncio.run(crawler.run())
    finally:
        store.close()
    return summary, records


def later(days: float) -> Callable[[], dt.datetime]:
    return lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=days)


def test_small_site_crawled_fully_in_scope_and_politely(site: Site, tmp_path: Path):
    out = tmp_path / "out.jsonl"
    summary, records = crawl(site.job(tmp_path / "s.sqlite"), out=out)
    urls = sorted(r["url"] for r in records)
    expected = ["/news/a1", "/news/a2", "/news/a3", "/sport/s1", "/sport/s2"]
    assert urls == sorted(site.server.url(p) for p in expected)
    assert site.server.hits("/private/secret") == 0  # robots.txt
    assert site.server.hits("/news/a1") == 1  # the #comments link is the same page
    assert {r["change"] for r in records} == {"new"}
    written = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["seq"] for r in written] == list(range(1, 6))
    assert sorted(r["url"] for r in written) == urls
    assert summary.new == 5 and summary.failed == 0
    assert summary.robots == 1  # /private/secret: queued, refused at fetch time, counted
    for record in written:
        assert record["first_seen"] and record["last_changed"] and "duplicate_of" in record


def test_second_run_unchanged_then_one_changed(site: Site, tmp_path: Path):
    job = site.job(tmp_path / "s.sqlite")
    crawl(job)
    # Nothing due yet: a rerun right away fetches nothing.
    summary, records = crawl(job)
    assert (summary.fetched, records) == (0, [])
    # Two days on, every page is due: conditional GETs answer 304.
    hits = site.server.hits("/news/a1")
    summary, records = crawl(job, clock=later(2))
    assert records == []
    assert summary.unchanged >= 5 and site.server.hits("/news/a1") == hits + 1
    assert site.server.seen("/news/a1")[-1].headers.get("if-none-match")
    # One article changes: exactly one `changed` record.
    site.pages["/news/a2"] = article_html("Budget approved, then amended", 22)
    summary, records = crawl(job, clock=later(4))
    assert [(r["url"], r["change"]) for r in records] == [(site.server.url("/news/a2"), "changed")]
    assert records[0]["first_seen"] < records[0]["last_changed"]


def test_near_duplicate_gets_duplicate_of(site: Site, tmp_path: Path):
    copy = site.pages["/news/a1"].replace("Harbour reopens", "Harbour reopens (copy)")
    site.pages["/news/copy"] = copy
    site.server.route("/news/copy", site._serve)
    site.pages["/news/"] = listing_html(("/news/a1", "/news/a2", "/news/copy"))
    _, records = crawl(site.job(tmp_path / "s.sqlite"))
    by_url = {r["url"]: r for r in records}
    first, second = by_url[site.server.url("/news/a1")], by_url[site.server.url("/news/copy")]
    originals = {first["duplicate_of"], second["duplicate_of"]}
    assert originals == {None, site.server.url("/news/a1")} or originals == {
        None,
        site.server.url("/news/copy"),
    }


def test_failing_pages_are_counted_and_the_crawl_goes_on(site: Site, tmp_path: Path):
    site.server.route("/news/a2", Reply(500, b"boom"))
    site.server.route("/sport/s1", Reply(200, b"slow", delay=3.0))
    summary, records = crawl(site.job(tmp_path / "s.sqlite"))
    assert summary.errors == {"HTTPStatusError": 1, "DeadlineExceeded": 1}
    assert sorted(r["url"] for r in records) == sorted(
        site.server.url(p) for p in ("/news/a1", "/news/a3", "/sport/s2")
    )


def test_noindex_nofollow_and_canonical(site: Site, tmp_path: Path):
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
    _, records = crawl(site.job(tmp_path / "s.sqlite", feeds=()))
    urls = {r["url"] for r in records}
    assert site.server.hits("/sport/s1") == 0  # only linked from a nofollow page
    assert site.server.url("/news/a1") not in urls  # noindex
    assert site.server.url("/news/budget") in urls and site.server.url("/news/a2") not in urls


def test_max_pages_caps_one_run_and_the_next_run_resumes(site: Site, tmp_path: Path):
    job = site.job(tmp_path / "s.sqlite", max_pages=3)
    first, _ = crawl(job)
    assert first.fetched == 3
    total = 3
    for _ in range(5):
        summary, _ = crawl(job)
        total += summary.fetched
        if summary.fetched == 0:
            break
    assert site.server.hits("/news/a1") == 1
    assert total == 9  # home, 2 sections, 5 articles, and /private/secret (refused)


def test_second_worker_on_a_sqlite_store_is_refused(site: Site, tmp_path: Path):
    path = tmp_path / "s.sqlite"
    holder = SQLiteStore(path)
    holder.begin_run("site", "other-worker", exclusive=True)
    try:
        with pytest.raises(StoreLocked, match="already running"):
            crawl(site.job(path))
    finally:
        holder.end_run("site", "other-worker")
        holder.close()
