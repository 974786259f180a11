"""The default crawl store: one SQLite file, safe under ``kill -9``, a full disk and a busy lock.

Why these settings:

* WAL journal: readers (``scraper status``) never block the crawler, and a
  killed process leaves a file the next open recovers.  ``synchronous=NORMAL``
  keeps every commit through a process crash; only an OS crash or power cut
  may lose the last few commits (never corrupting the file).
* ``BEGIN IMMEDIATE`` for writes: take the write lock before reading, so two
  processes never read the same due URLs and then fight to upgrade.
* A generous busy timeout (``busy_timeout``, 120 s by default): a file
  another process keeps locked for 30 s makes us wait, not die.
* No lock file: a run's liveness is its pid and process start time in the
  ``runs`` table, checked against the kernel, so a ``kill -9`` leaves nothing
  stale that needs cleaning by hand.

Every sqlite3 error leaves through :func:`_store_error` as a ``StoreError``.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scraper.crawling.store import migrations
from scraper.crawling.store._sqlite_ops import SQLiteOps
from scraper.crawling.store.base import (
    ArticleChange,
    Claim,
    FetchResult,
    JobStats,
    NewURL,
    StoredArticle,
    StoredResponse,
)
from scraper.errors import StoreError

__all__ = ["BUSY_TIMEOUT", "SQLiteStore", "WouldWait"]

logger = logging.getLogger(__name__)

_NOT_LOST = "this operation was rolled back and nothing committed before it was lost"


class WouldWait(Exception):
    """A call made ``without_waiting`` found the store locked: it did nothing.

    The lock is another process's write transaction (which a waiting call
    sits out for up to the busy timeout) or a call of another thread of
    this process.  Make the call where waiting does no harm.
    """


def _is_busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds a lock."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


#: I/O errors of a failed write or file growth: a full disk or a file size limit.
_WRITE_ERRORS = frozenset(
    {
        "SQLITE_IOERR_WRITE",
        "SQLITE_IOERR_FSYNC",
        "SQLITE_IOERR_TRUNCATE",
        "SQLITE_IOERR_SHMSIZE",
        "SQLITE_IOERR_SHMMAP",
    }
)
#: The default busy timeout: a file another process (a backup, an ``sqlite3``
#: shell, a second ``scraper status`` doing a checkpoint) keeps locked for
#: 30 s makes the crawl wait, with room to spare.
BUSY_TIMEOUT = 120.0


def _free_space(path: Path) -> str:
    """``"N MiB free on its disk"``, or why that is unknown: part of a disk-full message."""
    try:
        free = shutil.disk_usage(path.parent).free
    except OSError as exc:
        return f"free space unknown: {exc.strerror}"
    return f"{free / 2**20:.1f} MiB free on its disk"


def _store_error(exc: sqlite3.Error, path: Path, timeout: float) -> StoreError:
    """Turn a sqlite3 error into a StoreError whose message says what to do."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name == "SQLITE_FULL":
        what = f"disk full: the disk holding {path} is full (or the file hit its size limit)"
        todo = "free some space"
    elif name in _WRITE_ERRORS:
        # SQLite reports ENOSPC as SQLITE_FULL only on some paths; a write that
        # fails with EFBIG (a file size limit) or ENOSPC while growing the WAL
        # or its index comes back as an I/O error.  The free space tells which.
        what = (
            f"disk full or file size limit reached: writing {path} failed ({exc}; "
            f"{_free_space(path)})"
        )
        todo = "free some space (or raise `ulimit -f`)"
    elif name.startswith("SQLITE_IOERR"):
        what = f"an I/O error on {path} ({exc})"
        todo = "check the disk and its free space"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        what = f"{path} stayed locked by another process for more than {timeout:g} s"
        todo = "find what holds it (another crawl, a backup, an sqlite3 shell)"
    elif name in {"SQLITE_CORRUPT", "SQLITE_NOTADB"}:
        return StoreError(f"{path} is not a tidyscrape store or is damaged ({exc})")
    elif name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM")):
        return StoreError(f"cannot write the store {path} ({exc}): check its directory exists")
    else:
        what, todo = f"the store {path} failed ({exc})", "fix the cause"
    return StoreError(f"{what}: {todo}, then rerun the same command to resume; {_NOT_LOST}")


def _rewrite(conn: sqlite3.Connection, rewrite: migrations.Rewrite) -> None:
    """Recompute the rows of a migration's rewrite, batch by batch, in the open transaction."""
    last = -1
    while rows := conn.execute(rewrite.select, (last,)).fetchall():
        conn.executemany(rewrite.update, [rewrite.row(*row) for row in rows])
        last = rows[-1][0]


class SQLiteStore:
    """The ``CrawlStore`` in one SQLite file (see ``base.CrawlStore`` for each method).

    Nothing is opened until the first call (no I/O in constructors).  One
    object may be used from several threads; calls are serialised.
    ``stale_after`` only matters for runs registered from another machine
    (a network file system): their heartbeat must be younger than that.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = BUSY_TIMEOUT,
        stale_after: dt.timedelta = dt.timedelta(minutes=10),
        cache_mib: int = 32,
    ) -> None:
        self.path = Path(path)
        self._busy_timeout = busy_timeout
        self._stale_after = stale_after
        self._cache_mib = cache_mib
        self._conn: sqlite3.Connection | None = None
        self._jobs: dict[str, int] = {}
        self._lock = threading.RLock()
        self._local = threading.local()  # .nowait: see without_waiting
        self._timeout_ms: int | None = None  # the open connection's busy timeout

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- connection and transactions ---------------------------------------------------

    def _connection(self) -> sqlite3.Connection:
        if self._conn is not None:
            return self._conn
        conn = sqlite3.connect(
            self.path,
            timeout=self._busy_timeout,
            isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
            check_same_thread=False,  # calls are serialised by self._lock
        )
        try:
            self._timeout_ms = None
            self._wait_for_locks(conn, wait=True)
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                logger.warning("%s: journal mode %s, not WAL; readers will block", self.path, mode)
            conn.execute("PRAGMA synchronous = NORMAL")
            # A 1,000,000-URL add_urls grows the WAL to the size of the data;
            # give the space back after the next checkpoint.
            conn.execute(f"PRAGMA journal_size_limit = {64 * 2**20}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = {-1024 * self._cache_mib}")
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Apply pending migrations, each in its own write transaction."""
        table = migrations.MIGRATIONS_TABLE
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (name TEXT PRIMARY KEY, applied_at TEXT)")
        applied = {row[0] for row in conn.execute(f"SELECT name FROM {table}")}
        for step in migrations.pending(applied, migrations.SQLITE):
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute(f"SELECT 1 FROM {table} WHERE name = ?", (step.name,)).fetchone():
                    conn.execute("COMMIT")  # another process applied it while we waited
                    continue
                for statement in step.statements:
                    conn.execute(statement)
                if step.rewrite is not None:
                    _rewrite(conn, step.rewrite)
                conn.execute(
                    f"INSERT INTO {table} (name, applied_at) VALUES (?, ?)",
                    (step.name, dt.datetime.now(dt.UTC).isoformat()),
                )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            logger.info("%s: applied schema step %s", self.path, step.name)

    @contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Calls this thread makes inside raise ``WouldWait`` instead of waiting for a lock.

        Why: a crawl makes its SQLite calls on its event loop, where a call
        that sat out another process's lock (up to the busy timeout) would
        hold up every fetch and let their deadlines pass; it makes such a
        call again on a thread.  A call that raises has rolled back: it did
        nothing in the store.
        """
        self._local.nowait = True
        try:
            yield
        finally:
            self._local.nowait = False

    def _wait_for_locks(self, conn: sqlite3.Connection, wait: bool) -> None:
        """Set the connection's busy timeout: the store's, or none (SQLite answers busy)."""
        wanted = int(self._busy_timeout * 1000) if wait else 0
        if self._timeout_ms != wanted:
            conn.execute(f"PRAGMA busy_timeout = {wanted}")
            self._timeout_ms = wanted

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[SQLiteOps]:
        """One transaction; every sqlite3 error inside becomes a StoreError.

        Made ``without_waiting``, a lock held elsewhere raises ``WouldWait``.
        """
        nowait = getattr(self._local, "nowait", False)
        if not self._lock.acquire(blocking=not nowait):
            raise WouldWait(f"{self.path} is in use by another thread")
        try:
            try:
                conn = self._connection()
                self._wait_for_locks(conn, wait=not nowait)
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield SQLiteOps(conn, self._jobs)
                    conn.execute("COMMIT")
                except BaseException:
                    self._rollback(conn)
                    raise
            except sqlite3.Error as exc:
                if nowait and _is_busy(exc):
                    raise WouldWait(f"{self.path} is locked by another process") from exc
                raise _store_error(exc, self.path, self._busy_timeout) from exc
        finally:
            self._lock.release()

    def _rollback(self, conn: sqlite3.Connection) -> None:
        """Roll back; if even that fails (I/O error), drop the connection and reopen later."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error as exc:
            logger.warning("%s: rollback failed (%s); reopening on next use", self.path, exc)
            self.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                self._jobs.clear()
                self._timeout_ms = None
                conn.close()

    # -- runs ------------------------------------------------------------------------------

    def begin_run(self, job: str, worker: str, *, exclusive: bool) -> None:
        with self._tx(write=True) as ops:
            ops.begin_run(
                ops.job_id(job),
                job,
                worker,
                exclusive=exclusive,
                now=dt.datetime.now(dt.UTC),
                stale_after=self._stale_after,
            )

    def end_run(self, job: str, worker: str) -> None:
        with self._tx(write=True) as ops:
            job_id = ops.job_id(job, create=False)
            if job_id is not None:
                ops.end_run(job_id, worker, now=dt.datetime.now(dt.UTC))

    # -- frontier ----------------------------------------------------------------------------

    def add_urls(self, job: str, urls: Iterable[NewURL], *, now: dt.datetime) -> int:
        with self._tx(write=True) as ops:
            return ops.add_urls(ops.job_id(job), urls, now=now)

    def claim(
        self,
        job: str,
        worker: str,
        *,
        limit: int,
        lease: dt.timedelta,
        host_delay: dt.timedelta,
        now: dt.datetime,
        skip_hosts: Collection[str] = (),
        per_host: int | None = None,
    ) -> list[Claim]:
        if limit <= 0:
            return []
        with self._tx(write=True) as ops:
            job_id = ops.job_id(job, create=False)
            if job_id is None:
                return []
            return ops.claim(
                job_id,
                job,
                worker,
                limit=limit,
                lease=lease,
                host_delay=host_delay,
                now=now,
                skip_hosts=frozenset(skip_hosts),
                per_host=per_host,
            )

    def set_host_delay(self, job: str, host: str, delay: dt.timedelta) -> None:
        with self._tx(write=True) as ops:
            ops.set_host_delay(ops.job_id(job), host, delay)

    def defer_host(self, job: str, host: str, until: dt.datetime) -> None:
        with self._tx(write=True) as ops:
            ops.defer_host(ops.job_id(job), host, until)

    def complete(self, claim: Claim, result: FetchResult, *, now: dt.datetime) -> None:
        with self._tx(write=True) as ops:
            job_id = ops.job_id(claim.job, create=False)
            if job_id is not None:
                ops.finish(job_id, claim, result, now=now, fingerprint=result.fingerprint)

    def release(self, claims: Sequence[Claim]) -> None:
        if not claims:
            return
        with self._tx(write=True) as ops:
            ops.release(claims, now=dt.datetime.now(dt.UTC))

    # -- articles ------------------------------------------------------------------------------

    def record_article(
        self,
        claim: Claim,
        record: dict[str, Any],
        *,
        fingerprint: str,
        simhash: int,
        result: FetchResult,
        now: dt.datetime,
    ) -> ArticleChange:
        with self._tx(write=True) as ops:
            return ops.record_article(
                ops.job_id(claim.job),
                claim,
                record,
                fingerprint=fingerprint,
                simhash=simhash,
                result=result,
                now=now,
            )

    def articles_after(self, job: str, seq: int, *, limit: int = 1000) -> list[StoredArticle]:
        with self._tx(write=False) as ops:
            job_id = ops.job_id(job, create=False)
            return [] if job_id is None else ops.articles(job_id, seq, limit, latest_only=False)

    def iter_articles(self, job: str) -> Iterator[StoredArticle]:
        # One short read transaction per page: a slow consumer (an export
        # writing to a pipe) never pins the WAL or holds the lock.
        seq = 0
        while True:
            with self._tx(write=False) as ops:
                job_id = ops.job_id(job, create=False)
                page = [] if job_id is None else ops.articles(job_id, seq, 500, latest_only=True)
            if not page:
                return
            yield from page
            seq = page[-1].seq

    def add_response(self, job: str, response: StoredResponse) -> bool:
        with self._tx(write=True) as ops:
            job_id = ops.job_id(job)
            assert job_id is not None  # created when missing
            return ops.add_response(job_id, response)

    def iter_responses(self, job: str) -> Iterator[StoredResponse]:
        # One short read transaction per page, as iter_articles does.
        after = 0
        while True:
            with self._tx(write=False) as ops:
                job_id = ops.job_id(job, create=False)
                page = [] if job_id is None else ops.responses(job_id, after, 100)
            if not page:
                return
            yield from (response for _, response in page)
            after = page[-1][0]

    def jobs(self) -> list[str]:
        with self._tx(write=False) as ops:
            return ops.jobs()

    def stats(self, job: str) -> JobStats:
        with self._tx(write=False) as ops:
            return ops.stats(ops.job_id(job, create=False), now=dt.datetime.now(dt.UTC))
