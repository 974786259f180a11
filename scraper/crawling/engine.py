"""The crawl engine: claim due URLs from the store, fetch them politely, store what came out.

One ``Crawler`` is one worker of one job.  Everything it must not lose lives
in the store (frontier, leases, validators, articles, output numbering), so a
worker killed at any moment loses nothing: its leases expire (or the next run
takes them over) and its URLs come back.  Why the loop is shaped as it is:

* the fetch loop never parses: bodies go to worker processes
  (``ExtractionPool(task=analyze_page)``), which return the article AND the
  links of the page from one read, so fetching never waits for lxml (a
  crawl without extraction reads only links, in-process: one lexbor parse
  costs less than the trip to a worker);
* a URL is claimed only when a fetch can start at once, so it reaches its
  host when the store's per-host schedule says, not later behind busy
  fetches (which would squeeze the gap to the host's next request);
* links seen again in a run skip the scope check and the store
  (``RecentCache``), and hrefs are normalised once per crawl, not per page;
* store calls run on ONE extra thread, in order: the event loop is never
  blocked by a disk or network round trip, and the store sees one caller;
* politeness is the store's: ``claim`` hands out at most one URL per host per
  delay across every worker (Crawl-delay raises it, Retry-After defers the
  host); ``HostSlots`` only caps connections per host in this process;
* a failing page is a ``FetchResult`` with its error type, stored and counted;
  it never stops the crawl.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import socket
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx

from scraper.crawling.discovery import (
    SitemapWalk,
    parse_feed,
    parse_sitemap,
    robots_directives,
    sitemap_urls,
)
from scraper.crawling.jobs import Job
from scraper.crawling.links import FEED_TYPES, RecentCache
from scraper.crawling.output import JsonlOutput, output_record
from scraper.crawling.pageworker import (
    WARM_UP_PAGE,
    WARM_UP_URL,
    PageAnalysis,
    analyze_links,
    analyze_page,
)
from scraper.crawling.store import CrawlStore, SQLiteStore
from scraper.crawling.store.base import Claim, FetchResult, NewURL, StoredArticle, StoredResponse
from scraper.crawling.store.sqlite import WouldWait
from scraper.crawling.summary import CrawlSummary
from scraper.crawling.urls import PageBudgets, Scope, normalize_url
from scraper.errors import (
    FetchError,
    HTTPStatusError,
    RetryLaterError,
    RobotsDisallowed,
    ScraperError,
    StoreError,
)
from scraper.extraction.worker import (
    WORKER_NICE,
    ExtractionPool,
    preload_for_fork,
    usable_cores,
)
from scraper.fetching.client import Fetcher, check_transport
from scraper.fetching.politeness import HostSlots
from scraper.fetching.robots import robots_url
from scraper.models import Page

__all__ = ["MAX_PROCESSES", "Crawler", "Record", "crawl_processes", "scope_of"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: An output record: the extract record plus change, first_seen, last_changed,
#: duplicate_of and seq.
Record = dict[str, Any]

#: Frontier priorities: seeds first, then what sitemaps and feeds announce, then links.
SEED_PRIORITY, FEED_PRIORITY, LINK_PRIORITY = 100, 50, 0
#: Sitemaps and feeds fetched at once while seeding (each may be 50 MB decoded).
SEED_DOCUMENTS = 2
#: A busy crawl claims once this share (1/8) of its concurrency is free: one
#: claim transaction per 4 pages at 32 at once, not one per page.
CLAIM_BATCH_DIVISOR = 8
#: Shortest revisit interval: an interval shorter than a run would refetch
#: pages within the run and the run would never end.
MIN_REVISIT = dt.timedelta(seconds=60)
#: Listings (pages without an article) are due again a little before the
#: next scheduled run starts (``every`` after this one), or that run finds
#: them not yet due and discovers nothing.
LISTING_SHARE = 0.9
#: HTTP statuses that will not get better by asking again soon.
_PERMANENT = frozenset({400, 401, 403, 404, 405, 410, 414, 451})
_DISCOVERY_TYPES = (
    *FEED_TYPES,
    "application/json",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
)


def scope_of(job: Job) -> Scope:
    """The job's scope: its domains, or else the hosts of its seeds, sitemaps and feeds."""
    template = Scope(include=job.include, exclude=job.exclude, max_depth=job.max_depth)
    if job.domains:
        return dataclasses.replace(template, domains=job.domains)
    return Scope.from_seeds([*job.seeds, *job.sitemaps, *job.feeds], template)


def default_worker_id() -> str:
    """host:pid, unique among live workers and readable in ``scraper status``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def _finish_warm_up(warming: asyncio.Future[Any]) -> None:
    """Collect the warm-up calls: cancelled if the crawl ended before they did."""
    if not warming.done():
        warming.cancel()
    # _warm_up handles its errors; what is left is the cancellation.
    await asyncio.gather(warming, return_exceptions=True)


#: At most this many extraction processes by default: past it, this process
#: (fetch, links, store) is the bound, and each worker holds ~140 MiB.
MAX_PROCESSES = 8


def crawl_processes() -> int:
    """How many extraction processes a crawl starts by default: one per usable core, plus one.

    Why one more: the crawl's own process does about a quarter of the work
    (fetch, links, store), so with one worker per core each worker waits
    for it now and then and a core idles: on 2 cores, 2 workers kept 91-92%
    of the CPU busy and 3 workers 96% (3-5% more pages/s in three paired
    runs; 4 workers were no faster than 3).  Usable cores are those this
    process may run on (its CPU affinity), not all the machine has.

    >>> 2 <= crawl_processes() <= MAX_PROCESSES
    True
    """
    return min(usable_cores() + 1, MAX_PROCESSES)


class Crawler:
    """One worker of one crawl job.  ``await crawler.run()`` returns its summary.

    ``output``: the exactly-once JSON Lines file (drained from the store).
    ``on_record``: called with each record this worker stores in this run
    (stdout, the Python API).  ``pool``: an ``ExtractionPool(job.config,
    task=analyze_page)`` to use instead of starting one per run, so that its
    warm workers serve several runs (tests, embedders); the crawler never
    closes a pool it was given.  ``clock`` gives "now" for every store call
    (tests move it forward to make pages due).  ``stop()`` may be called from
    a signal handler or another thread.  ``processes``: how many extraction
    worker processes to start (default: :func:`crawl_processes`).

    ``articles=False`` makes a crawl without extraction (discovery only:
    fetch, robots, links, dedup): links are read in this process from the
    decoded page, no worker process is started and no article is stored;
    such pages are counted as ``links_only`` and due again after the
    job's recrawl interval.  ``transport`` makes the HTTP transport of each
    of the run's fetchers (default: httpx's own), e.g. an aiohttp one.
    """

    def __init__(
        self,
        job: Job,
        store: CrawlStore,
        *,
        worker_id: str | None = None,
        output: JsonlOutput | None = None,
        on_record: Callable[[Record], None] | None = None,
        processes: int | None = None,
        pool: ExtractionPool | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
        articles: bool = True,
        transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
    ) -> None:
        self.job = job
        self.store = store
        self.worker_id = worker_id or default_worker_id()
        self.output = output
        self.on_record = on_record
        self.summary = CrawlSummary()
        self._processes = processes or crawl_processes()
        self._pool = pool
        self._articles = articles
        self._transport = transport
        self._clock = clock
        self._scope = scope_of(job)
        self._budgets = PageBudgets(self._scope.budgets)
        self._fetch_cfg = job.config.fetch
        self._host_delay = dt.timedelta(seconds=self._fetch_cfg.per_host_delay)
        # Long enough for the whole fetch deadline plus extraction; a dead
        # worker's URLs come back after it (or at once, when the next run on
        # this machine sees the pid is gone).
        seconds = self._fetch_cfg.timeout + job.config.extract.timeout + 60.0
        self._lease = dt.timedelta(seconds=seconds)
        self._stopping = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        # SQLite's calls run on the loop itself, PostgreSQL's on one thread (see _db).
        self._sqlite = store if isinstance(store, SQLiteStore) else None
        self._db_thread: ThreadPoolExecutor | None = None
        self._db_queued = 0  # calls handed to the thread and not back yet
        self._hosts_checked: set[str] = set()
        self._fetches = 0  # pages in their fetch phase (see _loop_claims)
        #: Pages of each host claimed and not yet fetched (waiting for, or holding,
        #: one of the host's connections).
        self._host_fetches: collections.Counter[str] = collections.Counter()
        # URL -> smallest depth it was offered at in this run: a link seen
        # again at that depth or deeper needs no scope check and no store
        # round trip (the store would ignore it).  Bounded; the store stays
        # the one dedup that counts.
        self._offered: RecentCache[str, int] = RecentCache(50_000)
        self._links = RecentCache[str, str | None]()  # crawls without extraction
        self._run_started = clock()
        # A transport the job cannot have fails here, not once the run has
        # begun; the one it names is imported now, with the rest of the
        # start-up, and not while the first pages wait for it.
        check_transport(self._fetch_cfg)
        if articles and pool is None:
            preload_for_fork()  # run() forks its workers from here (see prefork)

    # -- control ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop claiming; in-flight pages are released; ``run`` returns soon after."""
        self._stopping = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:  # noqa: ANN401 (forwarded as given to a store method)
        """One store call, in the order the crawl makes them.

        Why SQLite's run on the loop and PostgreSQL's on a thread: a SQLite
        call is a local transaction of a few hundred microseconds, mostly
        under the GIL, so a thread only adds its hand-off (the queue, the
        wake-up of the loop, the GIL changing hands: ~0.4 ms of the crawl
        process's CPU per page in paired crawls, see BENCHMARKS.md) and holds
        nothing up that the loop could do meanwhile.  A PostgreSQL call
        waits on the network: the loop fetches while it does.

        A SQLite call that would wait for a lock (another process writing
        the file, up to the busy timeout) would hold up every fetch and let
        their deadlines pass: it raises ``WouldWait`` having done nothing,
        and is made on the thread, as are the calls after it until the
        thread has none left, so that they keep their order.
        """
        sqlite = self._sqlite
        if sqlite is not None and not self._db_queued:  # none waits before it: order kept
            try:
                with sqlite.without_waiting():
                    return fn(*args, **kwargs)
            except WouldWait as exc:  # it did nothing: made again on the thread, which waits
                logger.debug("%s: the store call waits on a thread", exc)
        if self._db_thread is None:
            self._db_thread = ThreadPoolExecutor(1, thread_name_prefix="scraper-store")
        loop = asyncio.get_running_loop()
        self._db_queued += 1
        try:
            return await loop.run_in_executor(self._db_thread, lambda: fn(*args, **kwargs))
        finally:
            self._db_queued -= 1

    async def _after_failure(
        self,
        failed: bool,
        what: str,
        fn: Callable[..., None],
        *args: Any,  # noqa: ANN401 (forwarded as given to a store method)
    ) -> None:
        """A clean-up store call that must not hide the error that stopped the crawl.

        Why: when the store fails (a full disk, a lock held past the busy
        timeout, a server gone for good), the clean-up after it usually fails
        the same way, and its error would replace the first one.  Nothing is
        lost by skipping it: leases of a run that did not end are taken over
        by the next run on this machine, or expire.
        """
        try:
            await self._db(fn, *args)
        except StoreError as exc:
            if not failed:
                raise
            logger.warning("could not %s after the store failed: %s", what, exc)

    # -- the run ---------------------------------------------------------------------------

    async def run(self) -> CrawlSummary:
        """Crawl until nothing is due, ``max_pages`` is reached or ``stop()`` is called.

        Raises ``StoreLocked`` when another process runs the job on a SQLite
        store, and ``StoreError`` when the store fails (nothing committed is
        lost: rerun to resume).  Page failures are counted, never raised.
        """
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._run_started = self._clock()
        exclusive = self._sqlite is not None
        job = self.job.name
        try:
            with contextlib.ExitStack() as owned:
                # The workers start first, before a PostgreSQL store's first
                # call starts its thread: then they can be forked from this
                # process (see ExtractionPool.prefork), and they warm up
                # while this loop opens the run and the output, builds its
                # fetchers and seeds.  On a locked store they are killed at
                # once, before they hold any page.
                pool, warming = self._start_pool(owned)
                try:
                    await asyncio.sleep(0)  # the warm-ups start now, not after the set-up
                    await self._db(self.store.begin_run, job, self.worker_id, exclusive=exclusive)
                    failed = True
                    try:
                        await self._crawl(pool)
                        if self.output is not None:
                            await self._db(self.output.drain)
                        failed = False
                    finally:
                        try:
                            await self._after_failure(
                                failed, "end the run", self.store.end_run, job, self.worker_id
                            )
                        finally:  # the output file is closed even when ending the run fails
                            if self.output is not None:
                                await self._db(self.output.close)
                finally:
                    if warming is not None:
                        await _finish_warm_up(warming)
        finally:
            if self._db_thread is not None:
                self._db_thread.shutdown(wait=True)
                self._db_thread = None
        self.summary.interrupted = self._stopping
        return self.summary

    def _start_pool(
        self, owned: contextlib.ExitStack
    ) -> tuple[ExtractionPool | None, asyncio.Future[Any] | None]:
        """The extraction pool (None without extraction), and its workers' warm-ups if ours."""
        if not self._articles:
            return None, None
        if self._pool is not None:
            return self._pool, None
        pool = owned.enter_context(
            ExtractionPool(self.job.config, self._processes, task=analyze_page, nice=WORKER_NICE)
        )
        if not self._stopping:
            pool.prefork()
        warming = asyncio.gather(*(self._warm_up(pool) for _ in range(self._processes)))
        return pool, warming

    async def _crawl(self, pool: ExtractionPool | None) -> None:
        """The run's work: open the output, seed, then claim, fetch and store pages."""
        if self.output is not None:
            await self._db(self.output.open)
            await self._db(self.output.drain)  # catch up after a crash
        fetch_cfg = dataclasses.replace(self._fetch_cfg, per_host_delay=0.0)
        discovery_cfg = dataclasses.replace(
            fetch_cfg, accept_types=(*fetch_cfg.accept_types, *_DISCOVERY_TYPES)
        )
        async with Fetcher(fetch_cfg, transport=self._new_transport()) as fetcher:
            async with Fetcher(
                discovery_cfg, robots=fetcher.robots, transport=self._new_transport()
            ) as discover:
                if not self._stopping:
                    await self._seed(discover)
            # Pages are fetched while the workers still warm up: they wait
            # for a worker, not the fetches for both.
            await self._loop_claims(fetcher, pool, HostSlots(fetch_cfg))

    async def _warm_up(self, pool: ExtractionPool) -> None:
        """Start one worker and pay its first-use costs while the crawl seeds.

        Why: a fresh worker spends most of a second on its first page
        (loading the language model); done here, it overlaps the robots.txt
        and sitemap fetches instead of holding up the first pages.  A failure
        only costs that head start: the page that meets it gets the error.
        """
        try:
            await pool.arun(WARM_UP_PAGE, WARM_UP_URL)
        except ScraperError as exc:
            logger.warning("warming up an extraction worker failed: %s", exc)

    def _new_transport(self) -> httpx.AsyncBaseTransport | None:
        return None if self._transport is None else self._transport()

    async def _loop_claims(
        self, fetcher: Fetcher, pool: ExtractionPool | None, slots: HostSlots
    ) -> None:
        cfg = self._fetch_cfg
        limit = self.job.max_pages
        in_flight: dict[asyncio.Task[None], Claim] = {}
        # Finished pages, as their tasks end: the wait below then watches one
        # event, not every page in flight (asyncio.wait on them all adds and
        # removes a callback on each, at every wake).
        finished: list[asyncio.Task[None]] = []
        assert self._wake is not None
        wake = self._wake

        def on_done(task: asyncio.Task[None]) -> None:
            finished.append(task)
            wake.set()

        fetching = asyncio.Semaphore(max(1, cfg.concurrency))
        # Pages in flight: those being fetched, plus a few waiting for an
        # extraction worker, so that extraction never waits for the network.
        concurrency = max(1, cfg.concurrency)
        capacity = concurrency + (2 * self._processes if pool is not None else 0)
        batch = max(1, concurrency // CLAIM_BATCH_DIVISOR)
        idle = 0.01
        try:
            while not self._stopping:
                # Claim only what can be sent at once: a URL claimed but held
                # back behind busy fetches would reach its host later than its
                # claim says, closer to the next one than the per-host delay.
                budget = min(capacity - len(in_flight), concurrency - self._fetches)
                if limit is not None:
                    budget = min(budget, limit - self.summary.fetched)
                if limit is not None and self.summary.fetched >= limit and not in_flight:
                    break
                claims: list[Claim] = []
                # One claim per few freed slots, not per page: each claim is a
                # write transaction, and a busy crawl frees a slot every few ms.
                if budget >= batch or (budget > 0 and len(in_flight) < batch):
                    # A host whose connections are all busy (a slow server) gets
                    # no new page: it would wait here for a connection, holding
                    # the budget every other host needs.
                    per_host = max(1, cfg.per_host_concurrency)
                    busy = {h for h, n in self._host_fetches.items() if n >= per_host}
                    claims = await self._db(
                        self.store.claim,
                        self.job.name,
                        self.worker_id,
                        limit=budget,
                        lease=self._lease,
                        host_delay=self._host_delay,
                        now=self._clock(),
                        skip_hosts=busy,
                        per_host=per_host,
                    )
                for claim in claims:
                    self.summary.fetched += 1
                    self._fetches += 1
                    self._host_fetches[claim.host] += 1
                    task = asyncio.create_task(self._page(claim, fetcher, pool, slots, fetching))
                    task.add_done_callback(on_done)
                    in_flight[task] = claim
                if claims:
                    idle = 0.01
                    continue
                if not in_flight:
                    if limit is not None and self.summary.fetched >= limit:
                        break
                    stats = await self._db(self.store.stats, self.job.name)
                    if stats.due == 0 and stats.leased == 0:
                        break  # the frontier ran dry (what is left is due later)
                # Wait for a page to finish, a stop, or a host slot to open.
                if not finished:
                    wake.clear()
                    waiter = asyncio.ensure_future(wake.wait())
                    await asyncio.wait((waiter,), timeout=idle)
                    waiter.cancel()
                idle = min(0.25, idle * 2)
                while finished:
                    task = finished.pop()
                    del in_flight[task]
                    task.result()  # a bug in _page surfaces here, not silently
        finally:
            if in_flight:
                for task in in_flight:
                    task.cancel()
                await asyncio.gather(*in_flight, return_exceptions=True)
                unfinished = [claim for task, claim in in_flight.items()]
                failed = sys.exc_info()[1] is not None
                await self._after_failure(failed, "release", self.store.release, unfinished)

    # -- seeding ---------------------------------------------------------------------------

    async def _add(self, urls: list[NewURL]) -> None:
        if urls:
            # Not ``queued += await ...``: that reads the count before the
            # await, and concurrent pages would overwrite each other's adds.
            added = await self._db(self.store.add_urls, self.job.name, urls, now=self._clock())
            self.summary.queued += added

    async def _seed(self, fetcher: Fetcher) -> None:
        """Queue the seeds, and the pages the job's sitemaps and feeds (and robots.txt) list.

        Documents of one kind are fetched concurrently (robots.txt files up
        to the job's concurrency, sitemaps and feeds ``SEED_DOCUMENTS`` at a
        time, as each may hold 50 MB; all within the per-host limit): a job
        of 200 seed hosts must not wait for 200 robots.txt one after another.
        """
        job = self.job
        seeds = [u for u in (normalize_url(s) for s in job.seeds) if u is not None]
        await self._add([NewURL(u, 0, SEED_PRIORITY, source="seed") for u in seeds])
        sitemaps = list(job.sitemaps)
        origins = sorted({robots_url(u) for u in [*seeds, *job.sitemaps, *job.feeds]})
        slots = HostSlots(dataclasses.replace(self._fetch_cfg, per_host_delay=0.0))
        large = asyncio.Semaphore(min(SEED_DOCUMENTS, max(1, self._fetch_cfg.concurrency)))

        async def fetch_all(urls: list[str], limit: asyncio.Semaphore) -> list[bytes | None]:
            async def one(url: str) -> bytes | None:
                async with limit, slots.slot(url):
                    return await self._fetch_quietly(fetcher, url)

            return list(await asyncio.gather(*(one(url) for url in urls)))

        for url, lines in zip(origins, await self._robots_sitemaps(fetcher, origins), strict=True):
            sitemaps += sitemap_urls(lines, url)
        walk = SitemapWalk()
        level = [(url, 0) for url in walk.admit_all(sitemaps)]
        while level and not self._stopping:  # breadth first: one index level at a time
            bodies = await fetch_all([url for url, _ in level], large)
            deeper: list[tuple[str, int]] = []
            for (url, depth), body in zip(level, bodies, strict=True):
                if body is None:
                    continue
                try:
                    sitemap = parse_sitemap(body, url)
                except ScraperError as exc:
                    self._count_error(exc, url)
                    continue
                deeper += [(child, depth + 1) for child in walk.children(sitemap, depth)]
                await self._add(self._in_scope([e.url for e in sitemap.pages], "sitemap", 0))
            level = deeper
        feeds = list(job.feeds)
        for url, body in zip(feeds, await fetch_all(feeds, large), strict=True):
            if body is None:
                continue
            try:
                feed = parse_feed(body, url)
            except ScraperError as exc:
                self._count_error(exc, url)
                continue
            await self._add(self._in_scope([e.url for e in feed.entries], "feed", 0))

    def _in_scope(
        self, urls: list[str], source: str, depth: int, referrer: str | None = None
    ) -> list[NewURL]:
        priority = LINK_PRIORITY if source == "link" else FEED_PRIORITY
        offered = self._offered
        found = []
        for url in urls:
            before = offered.get(url)
            if before is not None and before <= depth:
                continue  # judged already, at this depth or a shallower one
            offered.put(url, depth)
            if self._scope.allows(url, depth) and self._budgets.admit(url):
                found.append(NewURL(url, depth, priority, referrer, source))
        return found

    async def _robots_sitemaps(self, fetcher: Fetcher, origins: list[str]) -> list[tuple[str, ...]]:
        """The ``Sitemap:`` lines of each origin's robots.txt, read through the
        fetcher's robots cache: the file the rules come from, downloaded once."""
        robots = fetcher.robots
        if robots is None:  # the fetcher is not open: cannot happen inside run()
            raise RuntimeError("the fetcher has no robots.txt cache")
        limit = asyncio.Semaphore(max(1, self._fetch_cfg.concurrency))

        async def one(url: str) -> tuple[str, ...]:
            async with limit:
                try:
                    return await robots.sitemaps(url)
                except FetchError as exc:  # the origin itself is refused (address policy)
                    logger.info("%s: %s: %s", url, type(exc).__name__, exc)
                    return ()

        return list(await asyncio.gather(*(one(url) for url in origins)))

    async def _fetch_quietly(
        self, fetcher: Fetcher, url: str, *, count: bool = True
    ) -> bytes | None:
        """The body of a sitemap, feed or robots.txt; a failure is counted (not for robots.txt)."""
        try:
            page = await fetcher.fetch(url)
        except FetchError as exc:
            if count:
                self._count_error(exc, url)
            return None
        self.summary.retries.update(page.retries)
        return page.content

    def _count_error(self, exc: ScraperError, url: str) -> None:
        logger.info("%s: %s: %s", url, type(exc).__name__, exc)
        self.summary.errors[type(exc).__name__] += 1

    # -- one page --------------------------------------------------------------------------

    def _due_after(self, interval: float | None) -> dt.datetime | None:
        if interval is None:
            return None
        return self._clock() + max(MIN_REVISIT, dt.timedelta(seconds=interval))

    def _listing_due(self) -> dt.datetime:
        every = dt.timedelta(seconds=self.job.every * LISTING_SHARE)
        return max(self._run_started + every, self._clock() + MIN_REVISIT)

    async def _complete(self, claim: Claim, result: FetchResult) -> None:
        await self._db(self.store.complete, claim, result, now=self._clock())

    async def _check_crawl_delay(self, fetcher: Fetcher, claim: Claim) -> None:
        """Raise the host's delay to robots.txt's Crawl-delay, once per host and run."""
        if claim.host in self._hosts_checked or not self._fetch_cfg.obey_robots:
            return
        self._hosts_checked.add(claim.host)
        robots = fetcher.robots
        delay = None if robots is None else await robots.crawl_delay(claim.url)
        if delay is not None and delay > self._fetch_cfg.per_host_delay:
            logger.info("%s: Crawl-delay %g s", claim.host, delay)
            await self._db(
                self.store.set_host_delay, self.job.name, claim.host, dt.timedelta(seconds=delay)
            )

    async def _fetch(
        self,
        claim: Claim,
        fetcher: Fetcher,
        slots: HostSlots,
        fetching: asyncio.Semaphore,
        headers: dict[str, str],
    ) -> Page:
        """The fetch phase of one page; the claim loop is told the moment it ends."""
        try:
            await self._check_crawl_delay(fetcher, claim)
            async with fetching, slots.slot(claim.url):
                return await fetcher.fetch(claim.url, headers=headers)
        finally:
            self._fetches -= 1
            self._host_fetches[claim.host] -= 1
            if self._host_fetches[claim.host] <= 0:
                del self._host_fetches[claim.host]
            if self._wake is not None:
                self._wake.set()

    async def _page(
        self,
        claim: Claim,
        fetcher: Fetcher,
        pool: ExtractionPool | None,
        slots: HostSlots,
        fetching: asyncio.Semaphore,
    ) -> None:
        headers = {}
        if claim.etag:
            headers["If-None-Match"] = claim.etag
        if claim.last_modified:
            headers["If-Modified-Since"] = claim.last_modified
        try:
            page = await self._fetch(claim, fetcher, slots, fetching, headers)
        except RobotsDisallowed as exc:
            self.summary.robots += 1
            await self._complete(claim, FetchResult(0, "robots", type(exc).__name__, str(exc)))
            return
        except RetryLaterError as exc:
            self.summary.retry_later += 1
            self.summary.retries["retry_later"] += 1
            await self._db(self.store.defer_host, self.job.name, claim.host, exc.retry_at)
            result = FetchResult(exc.status, "retry_later", type(exc).__name__, str(exc))
            await self._complete(claim, dataclasses.replace(result, next_due=exc.retry_at))
            return
        except FetchError as exc:
            self._count_error(exc, claim.url)
            status = exc.status if isinstance(exc, HTTPStatusError) else 0
            again = None if status in _PERMANENT else self._listing_due()
            result = FetchResult(status, "error", type(exc).__name__, str(exc), next_due=again)
            await self._complete(claim, result)
            return
        self.summary.retries.update(page.retries)
        if page.status == 304:
            self.summary.unchanged += 1
            result = FetchResult(304, "not_modified", next_due=self._due_after(self.job.recrawl))
            await self._complete(claim, dataclasses.replace(result, retries=page.retries))
            return
        if self.job.archive:
            # Before the page completes: killed in between, the refetch keeps the
            # same body again, which the store recognises and skips.
            response = StoredResponse(
                page.final_url, self._clock(), page.status, list(page.headers.items()), page.content
            )
            await self._db(self.store.add_response, self.job.name, response)
        if pool is None:
            links = analyze_links(page.text, page.final_url, self.job.config, self._links)
            await self._store_page(claim, page.status, page.headers, page.final_url, links)
            return
        try:
            # Our fetcher refused binary bodies already (check_content).
            analysis: PageAnalysis = await pool.arun(
                page.content, page.final_url, encoding=page.encoding, binary_checked=True
            )
        except ScraperError as exc:  # deadline or crashed worker: this page's error
            self._count_error(exc, claim.url)
            result = FetchResult(page.status, "error", type(exc).__name__, str(exc))
            await self._complete(claim, dataclasses.replace(result, next_due=self._listing_due()))
            return
        await self._store_page(claim, page.status, page.headers, page.final_url, analysis)

    async def _store_page(
        self,
        claim: Claim,
        status: int,
        headers: dict[str, str],
        final_url: str,
        analysis: PageAnalysis,
    ) -> None:
        header_robots = robots_directives(headers.get("x-robots-tag"), self._fetch_cfg.user_agent)
        links = analysis.links
        follow = () if links is None else links.follow_links(header_robots)
        found = self._in_scope(list(follow), "link", claim.depth + 1, claim.url)
        # A page known under another URL (redirect, canonical) is stored under
        # that URL only: queue it, so one article never comes out twice.
        final = normalize_url(final_url) or claim.url
        canonical = None if links is None else links.canonical
        elsewhere = None
        for other, source in ((final, "redirect"), (canonical, "canonical")):
            if other and other != claim.url and self._scope.allows(other, claim.depth):
                elsewhere = other
                found.append(NewURL(other, claim.depth, SEED_PRIORITY, claim.url, source))
                break
        await self._add(found)
        etag, modified = headers.get("etag"), headers.get("last-modified")
        base = FetchResult(status, "ok", etag=etag, last_modified=modified)
        noindex = "noindex" in header_robots or (links is not None and links.noindex)
        if elsewhere is not None:
            self.summary.canonicalised += 1
            base = dataclasses.replace(base, outcome="duplicate")
        elif noindex:
            self.summary.noindex += 1
            base = dataclasses.replace(base, outcome="noindex")
        if elsewhere is None and not noindex and not self._articles:
            self.summary.links_only += 1
            due = self._due_after(self.job.recrawl) or self._listing_due()
            await self._complete(claim, dataclasses.replace(base, next_due=due))
            return
        if elsewhere is not None or noindex or analysis.record is None:
            if analysis.record is None and elsewhere is None and not noindex:
                self.summary.no_article += 1
                base = dataclasses.replace(
                    base, error_type=analysis.error_type, error_message=analysis.error_message
                )
            await self._complete(claim, dataclasses.replace(base, next_due=self._listing_due()))
            return
        assert analysis.fingerprint is not None
        now = self._clock()
        record = analysis.record
        result = dataclasses.replace(
            base, fingerprint=analysis.fingerprint, next_due=self._due_after(self.job.recrawl)
        )
        change = await self._db(
            self.store.record_article,
            claim,
            record,
            fingerprint=analysis.fingerprint,
            simhash=analysis.simhash,
            result=result,
            now=now,
        )
        if change.seq is None:
            self.summary.unchanged += 1
            return
        if change.change == "new":
            self.summary.new += 1
        else:
            self.summary.changed += 1
        if self.on_record is not None:
            stored = StoredArticle(
                change.seq,
                claim.url,
                record,
                change.change,
                change.first_seen,
                change.last_changed,
                change.duplicate_of,
            )
            self.on_record(output_record(stored))
        if self.output is not None:
            await self._db(self.output.drain)
