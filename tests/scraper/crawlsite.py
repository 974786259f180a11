"""A small local news site and a one-call crawl, shared by the crawl tests.

``Site`` serves home, two sections, articles, robots.txt, a sitemap and a
feed from a ``TestServer``; ``crawl`` runs one worker once.  Crawls share one
warm ``ExtractionPool`` (the ``crawl_pool`` fixture): starting a pool costs
each worker a second or more of lazy loading (language model, word lists) on
its first page, which would otherwise dominate every run of every test.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import random
from collections.abc import Callable
from pathlib import Path

from scraper.config import Config, FetchConfig
from scraper.crawling.engine import Crawler, Record
from scraper.crawling.jobs import Job
from scraper.crawling.output import JsonlOutput
from scraper.crawling.pageworker import analyze_page
from scraper.crawling.store import open_store
from scraper.crawling.summary import CrawlSummary
from scraper.extraction.worker import ExtractionPool
from tests.servers import Reply, Seen, TestServer, robots

__all__ = [
    "CONFIG",
    "FAST",
    "Site",
    "article_html",
    "crawl",
    "later",
    "listing_html",
    "new_pool",
]

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
    allow_networks=("127.0.0.1/32",),  # the test site (loopback is refused by default)
)
#: The config of every test job; a shared pool must be built with the same one.
CONFIG = Config(fetch=FAST)

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
            config=CONFIG,
        )
        return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def new_pool(processes: int = 2) -> ExtractionPool:
    """A pool running the crawl's page task with the test jobs' config."""
    return ExtractionPool(CONFIG, processes, task=analyze_page)


def crawl(
    job: Job,
    *,
    pool: ExtractionPool | None = None,
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
            pool=pool,
            **kwargs,  # type: ignore[arg-type]
        )
        summary = asyncio.run(crawler.run())
    finally:
        store.close()
    return summary, records


def later(days: float) -> Callable[[], dt.datetime]:
    """A clock ``days`` ahead of the wall clock (pages become due)."""
    return lambda: dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
