"""Crawls whose store fails under them (issue 5): a busy lock, a full disk, PostgreSQL cut off.

The store-level fault tests (``tests/scraper/store/test_faults.py``) call
store methods one by one; these run whole crawls against the local test site
while the fault happens, and check what the user sees: the crawl waits or
stops with a clear error, and the next run ends with every article in the
``--out`` file exactly once.

* SQLite lock: another process holds ``BEGIN EXCLUSIVE`` on the store file
  for a few seconds (the default busy timeout, 120 s, covers the issue's 30 s;
  the tests shorten both);
* full disk: the ``scraper crawl`` process runs under ``RLIMIT_FSIZE``, so
  its writes past the limit fail for real (EFBIG), without filling a disk;
* PostgreSQL: a thread terminates the crawl's sessions over and over with
  ``pg_terminate_backend``, and a private server (``scripts/postgres.sh`` on
  a data directory of its own, so no other user of the shared server is cut
  off) is restarted mid-crawl.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.crawling.engine import Crawler, Record
from scraper.crawling.jobs import Job
from scraper.crawling.output import JsonlOutput
from scraper.crawling.store import CrawlStore, SQLiteStore, open_store
from scraper.crawling.store.sqlite import BUSY_TIMEOUT
from scraper.crawling.summary import CrawlSummary
from scraper.errors import StoreError
from scraper.extraction.worker import ExtractionPool
from tests.scraper.crawlsite import Site, article_html, listing_html
from tests.scraper.store.conftest import PG_SKIP, PG_URL, with_schema
from tests.scraper.store.test_faults import _hold_lock
from tests.servers import Reply, Seen, TestServer

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SH = ROOT / "scripts" / "postgres.sh"
#: Articles added to the site, each answering after ``DELAY`` s: the crawl
#: lasts long enough for the fault to land in its middle.
EXTRA, DELAY = 16, 0.05


@pytest.fixture
def site() -> Iterator[Site]:
    with TestServer() as server:
        site = Site(server)
        paths = [f"/news/{i}" for i in range(EXTRA)]
        for i, path in enumerate(paths):
            site.pages[path] = article_html(f"Story number {i}", 300 + i)
            server.route(path, lambda seen: dataclasses.replace(site._serve(seen), delay=DELAY))
        site.pages["/news/"] = listing_html(("/news/a1", "/news/a2", *paths))
        yield site


#: The site's article pages: a full crawl outputs each of them.
ARTICLES = (
    *("/news/a1", "/news/a2", "/news/a3", "/sport/s1", "/sport/s2"),
    *(f"/news/{i}" for i in range(EXTRA)),
)


def articles(site: Site) -> set[str]:
    """Every article URL of the site a full crawl must output."""
    return {site.server.url(p) for p in ARTICLES}


def fetched_once(site: Site) -> None:
    """Each article page was requested once: no page fetched twice because of the fault."""
    hits = {path: site.server.hits(path) for path in ARTICLES}
    assert hits == dict.fromkeys(ARTICLES, 1)


def exactly_once(out: Path, site: Site, *, missing: tuple[str, ...] = ()) -> None:
    """The --out file holds every article once, in seq order, no gap, no duplicate.

    ``missing``: article paths the crawl cannot find (a quick crawl reads no feed).
    """
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["seq"] for r in records] == list(range(1, len(records) + 1))
    urls = [r["url"] for r in records]
    assert len(urls) == len(set(urls)), "an article written twice"
    expected = articles(site) - {site.server.url(p) for p in missing}
    assert expected <= set(urls), "an article missing"


def run_crawl(
    job: Job,
    store: CrawlStore,
    out: Path,
    pool: ExtractionPool,
    on_record: Callable[[Record], None] | None = None,
) -> CrawlSummary:
    """One run of one worker on ``store`` (which the caller closes)."""
    crawler = Crawler(
        job,
        store,
        worker_id="w1",
        output=JsonlOutput(out, store, job.name),
        on_record=on_record,
        processes=2,
        pool=pool,
    )
    return asyncio.run(crawler.run())


# -- SQLite locked by another process ------------------------------------------------------


def test_the_default_busy_timeout_outlasts_a_30_s_lock():
    assert BUSY_TIMEOUT >= 60
    assert SQLiteStore("x.sqlite")._busy_timeout == BUSY_TIMEOUT


def test_crawl_waits_while_another_process_locks_the_sqlite_file(
    site: Site, tmp_path: Path, crawl_pool
):
    path, out = tmp_path / "s.sqlite", tmp_path / "out.jsonl"
    hold = 3.0
    lockers: list[subprocess.Popen[str]] = []
    locked_at: list[float] = []

    def lock_once(record: Record) -> None:
        if not lockers:  # the first article is stored: the crawl is under way
            lockers.append(_hold_lock(path, hold))
            locked_at.append(time.monotonic())

    with SQLiteStore(path, busy_timeout=10.0) as store:
        summary = run_crawl(site.job(path), store, out, crawl_pool, lock_once)
    ended = time.monotonic()
    (locker,) = lockers
    locker.communicate(timeout=5)
    assert locker.returncode == 0  # it held the lock all along and committed
    assert ended - locked_at[0] >= hold - 0.1, "the crawl did not meet the lock"
    assert summary.failed == 0 and summary.new >= len(articles(site))  # a long listing may pass too
    exactly_once(out, site)
    fetched_once(site)


def test_lock_held_past_the_busy_timeout_is_a_clear_error_and_the_rerun_resumes(
    site: Site, tmp_path: Path, crawl_pool
):
    path, out = tmp_path / "s.sqlite", tmp_path / "out.jsonl"
    lockers: list[subprocess.Popen[str]] = []

    def lock_once(record: Record) -> None:
        if not lockers:
            lockers.append(_hold_lock(path, 30))

    try:
        with SQLiteStore(path, busy_timeout=0.5) as store, pytest.raises(StoreError) as err:
            run_crawl(site.job(path), store, out, crawl_pool, lock_once)
    finally:
        for locker in lockers:
            locker.kill()
            locker.communicate()
    message = str(err.value)
    assert f"{path} stayed locked by another process for more than 0.5 s" in message
    assert "rerun the same command to resume" in message
    with SQLiteStore(path, busy_timeout=10.0) as store:  # the lock is gone: resume
        summary = run_crawl(site.job(path), store, out, crawl_pool)
    assert summary.failed == 0
    exactly_once(out, site)


class _FailingCleanUp:
    """A real SQLite store whose writes fail after the first stored article, clean-up included.

    As on a full disk: the error that stops the crawl is followed by the
    same kind of error from ``release`` and ``end_run``.
    """

    def __init__(self, store: SQLiteStore) -> None:
        self._store = store
        self.articles = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def record_article(self, *args: Any, **kwargs: Any) -> Any:
        if self.articles:
            raise StoreError("the first failure")
        self.articles += 1
        return self._store.record_article(*args, **kwargs)

    def release(self, claims: Any) -> None:
        raise StoreError("release failed too")

    def end_run(self, job: str, worker: str) -> None:
        raise StoreError("end_run failed too")


def test_the_error_that_stopped_the_crawl_is_the_one_raised(
    site: Site, tmp_path: Path, crawl_pool, caplog: pytest.LogCaptureFixture
):
    path = tmp_path / "s.sqlite"
    with SQLiteStore(path) as real, pytest.raises(StoreError, match="the first failure"):
        run_crawl(site.job(path), _FailingCleanUp(real), tmp_path / "out.jsonl", crawl_pool)  # type: ignore[arg-type]
    assert "could not end the run after the store failed: end_run failed too" in caplog.text


# -- a full disk ------------------------------------------------------------------------------

#: Runs a command with a file size limit: writes past it fail with EFBIG, as
#: on a full disk (ENOSPC), but only for this process and its children.
LIMITED = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, the process lives
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
os.execv(sys.argv[2], sys.argv[2:])
"""


def scraper_crawl(site: Site, store: Path, out: Path, limit: int | None) -> tuple[int, str]:
    """``scraper crawl`` of the site (under a file size limit); its exit code and stderr."""
    from tests.test_cli_crawl import FLAGS, SCRAPER, _env

    args = [SCRAPER, "crawl", site.server.url("/"), "--store", str(store), "--out", str(out)]
    args += FLAGS
    if limit is not None:
        args = [sys.executable, "-c", LIMITED, str(limit), *args]
    proc = subprocess.run(
        args, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=60, check=False
    )
    return proc.returncode, proc.stderr


def test_full_disk_stops_the_crawl_with_a_clear_error_and_the_next_run_resumes(
    site: Site, tmp_path: Path
):
    store, out = tmp_path / "f.sqlite", tmp_path / "out.jsonl"
    # The store with its schema and nothing else, then a limit above it: the
    # crawl reaches it in its middle (the WAL grows with every commit).
    with SQLiteStore(store) as fresh:
        fresh.stats("quick")
    # Each stored article grows the WAL by some 50 KiB: 500 KiB lets a few through.
    limit = store.stat().st_size + 500 * 1024
    code, err = scraper_crawl(site, store, out, limit)
    assert code == 2, err
    assert "Traceback" not in err
    assert "scraper crawl: error: disk full" in err and str(store) in err
    assert "rerun the same command to resume" in err
    logger.info("the crawl on a full disk said: %s", err)
    written = out.read_text(encoding="utf-8").count("\n") if out.exists() else 0
    assert 0 < written < len(articles(site)), "the limit fell outside the crawl"
    code, err = scraper_crawl(site, store, out, None)  # space freed: the same command again
    assert code == 0, err
    exactly_once(out, site, missing=("/sport/s2",))  # only in the feed


# -- PostgreSQL --------------------------------------------------------------------------------


def _new_schema(url: str) -> str:
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    return schema


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def pg_store() -> Iterator[tuple[str, str]]:
    """A fresh schema on the shared server: (store URL, the application_name of its sessions)."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    schema = _new_schema(PG_URL)
    try:
        yield f"{with_schema(PG_URL, schema)}&application_name={schema}", schema
    finally:
        _drop_schema(PG_URL, schema)


def _terminate(admin_url: str, name: str) -> int:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        row = admin.execute(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE application_name = %s""",
            (name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.postgres
def test_crawl_survives_its_connections_killed_again_and_again(
    site: Site, pg_store: tuple[str, str], tmp_path: Path, crawl_pool
):
    spec, name = pg_store
    assert PG_URL is not None
    out = tmp_path / "out.jsonl"
    stop = threading.Event()
    kills: list[int] = []
    killer_errors: list[BaseException] = []

    def killer() -> None:
        try:
            while not stop.wait(0.15):
                kills.append(_terminate(PG_URL, name))
        except BaseException as exc:  # surfaced by the assert below
            killer_errors.append(exc)

    thread = threading.Thread(target=killer, name="pg-killer")
    job = dataclasses.replace(site.job(tmp_path / "unused.sqlite"), store=spec)
    store = open_store(spec)
    try:
        thread.start()
        summary = run_crawl(job, store, out, crawl_pool)
    finally:
        stop.set()
        thread.join(10)
        store.close()
    assert killer_errors == []
    assert sum(kills) >= 3, f"too few sessions killed to prove anything: {kills}"
    assert summary.failed == 0 and summary.new >= len(articles(site))  # a long listing may pass too
    exactly_once(out, site)
    fetched_once(site)


def _server_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@pytest.fixture
def private_pg() -> Iterator[tuple[str, Callable[[], None]]]:
    """A PostgreSQL server of this test's own (its URL, and a restart), stopped afterwards.

    Why not the shared server: restarting it would cut off whoever else uses it.
    """
    if not PG_URL:
        pytest.skip(PG_SKIP)
    if _server_bin() is None:
        pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin)")
    # Under /tmp, not pytest's tmp_path: the server runs as `postgres` when we
    # are root, and must be able to reach its directory.
    data = Path(tempfile.mkdtemp(prefix="tidyscrape-pg-test-", dir="/tmp"))
    env = {**os.environ, "SCRAPER_PG_DATA": str(data)}

    def script(*args: str) -> str:
        proc = subprocess.run(
            ["bash", str(POSTGRES_SH), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        return proc.stdout

    try:
        exported = script()
        url = exported.strip().removeprefix("export SCRAPER_TEST_PG_URL=")
        assert url.startswith("postgresql://"), exported
        yield url, lambda: script("restart") and None
    finally:
        script("stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.postgres
def test_crawl_survives_a_server_restart(
    site: Site,
    private_pg: tuple[str, Callable[[], None]],
    tmp_path: Path,
    crawl_pool,
    caplog: pytest.LogCaptureFixture,
):
    url, restart = private_pg
    out = tmp_path / "out.jsonl"
    restarting, restarted = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def restart_in_background() -> None:
        try:
            restarting.set()
            restart()
            restarted.set()
        except BaseException as exc:  # surfaced by the assert below
            errors.append(exc)

    threads: list[threading.Thread] = []

    def restart_once(record: Record) -> None:
        if not threads:  # the first article is stored: the crawl is under way
            threads.append(threading.Thread(target=restart_in_background, name="pg-restart"))
            threads[0].start()

    # The story pages answer only once the restart has begun: their results
    # reach the store while the server goes down and comes back.
    def after_restart_began(seen: Seen) -> Reply:
        restarting.wait(30)
        return site._serve(seen)

    for i in range(EXTRA):
        site.server.route(f"/news/{i}", after_restart_began)
    job = dataclasses.replace(site.job(tmp_path / "unused.sqlite"), store=url)
    store = open_store(url)
    try:
        with caplog.at_level(logging.WARNING, logger="scraper.crawling.store.postgres"):
            summary = run_crawl(job, store, out, crawl_pool, restart_once)
            crawl_done = restarted.is_set()
    finally:
        restarting.set()
        for thread in threads:
            thread.join(60)
        store.close()
    assert errors == [] and restarted.is_set()
    assert crawl_done, "the crawl ended before the server was back"
    assert "PostgreSQL connection lost" in caplog.text, "the restart never reached the store"
    assert summary.failed == 0 and summary.new >= len(articles(site))  # a long listing may pass
    exactly_once(out, site)
    fetched_once(site)


@pytest.mark.postgres
def test_a_claim_replayed_after_its_commit_hands_out_the_same_urls(pg_store: tuple[str, str]):
    """The answer of a committed claim was lost with the connection: the replay returns it.

    Leasing a second batch instead would leave the first one idle until its
    lease expired, and the crawl waiting for it.
    """
    import datetime as dt

    from scraper.crawling.store import Claim, NewURL
    from scraper.crawling.store._postgres_ops import PostgresOps
    from scraper.crawling.store.postgres import PostgresStore

    spec, _ = pg_store
    now = dt.datetime.now(dt.UTC)
    lease, zero = dt.timedelta(minutes=5), dt.timedelta(0)
    with PostgresStore(spec) as store:
        store.add_urls("job", [NewURL(f"https://a.test/{i}") for i in range(6)], now=now)
        first = store.claim("job", "w", limit=3, lease=lease, host_delay=zero, now=now)

        def replay(ops: PostgresOps) -> list[Claim]:
            return ops.claim(
                "job", "w", limit=3, lease=lease, host_delay=zero, now=now, replay=True
            )

        again = store._run("claim", replay)
        assert sorted(c.url for c in again) == sorted(c.url for c in first)
        assert store.stats("job").leased == 3
        later = store.claim(
            "job", "w", limit=9, lease=lease, host_delay=zero, now=now + dt.timedelta(seconds=1)
        )
        assert {c.url for c in later}.isdisjoint(c.url for c in first)
        assert len(later) == 3
