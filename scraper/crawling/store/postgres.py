"""The shared crawl store: PostgreSQL (psycopg 3), for several workers on several machines.

Every method is one transaction on one connection (autocommit off only
inside ``conn.transaction()``).  What survives what:

* A dropped connection (server restart, connection killed by an admin,
  network cut): the store reconnects, waiting up to ``reconnect_for`` seconds
  for the server to come back, then runs the operation once more, from the
  start.  This is safe for every operation, because each one either rolled
  back with the connection, or, if the connection died while committing, its
  replay changes nothing more:

  - ``complete``, ``release``, ``end_run`` act only while the claim's lease
    (worker + lease end) is still in place, and clear it: a second run is a no-op;
  - ``record_article`` finds the article already stored under the same claim
    and returns what was decided then (same ``seq``, never a second number);
  - ``begin_run`` finds its own run row; ``set_host_delay`` and
    ``defer_host`` take a maximum; reads are reads;
  - ``claim``, replayed, hands out again the URLs its lost commit leased
    (they carry exactly ``now + lease``) instead of leasing a second batch;
  - ``add_urls`` inserts with ``ON CONFLICT DO NOTHING``; it is replayed when
    ``urls`` is a sequence (a list, a tuple) or was not touched yet.  A
    one-shot iterator already partly consumed cannot be replayed: that case
    raises StoreError (nothing of the call was committed) and the caller
    re-adds.

  The connection may be lost again during the replay (a server still
  restarting, an admin terminating sessions in a loop): up to
  ``_RECONNECTS`` reconnections per operation, all within one
  ``reconnect_for`` window from the first loss; past either bound,
  StoreError.  Once the store has connected, a failure to connect again is
  a lost connection like any other; only the very first connection fails
  at once (a wrong URL or a server that is not there should not make the
  user wait).
* A deadlock or serialisation failure (the server rolled the transaction
  back): the whole operation is retried from the start, up to twice.
* Anything else: StoreError; the transaction was rolled back, so nothing
  committed before is lost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from scraper.crawling.store import migrations
from scraper.crawling.store._postgres_ops import PostgresOps
from scraper.crawling.store._shared import utc
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

__all__ = ["PostgresStore"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
#: SQLSTATEs after which the server rolled back and a retry may succeed.
_RETRY_STATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
#: Attempts for a transaction the server rolled back (deadlock, serialisation).
_ATTEMPTS = 3
#: Reconnections per operation (each one after the connection was lost again).
_RECONNECTS = 5


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Once(Iterable[NewURL]):
    """An iterable that records whether iteration began: only an untouched one can be replayed.

    The connection usually turns out dead at ``BEGIN``, before ``add_urls``
    has pulled a single URL, so even a generator can be retried then.
    """

    def __init__(self, items: Iterable[NewURL]) -> None:
        self._items = items
        self.started = False

    def __iter__(self) -> Iterator[NewURL]:
        self.started = True
        return iter(self._items)


def _rewrite(conn: psycopg.Connection[Any], rewrite: migrations.Rewrite) -> None:
    """Recompute the rows of a migration's rewrite, batch by batch, in the open transaction."""
    last = -1
    while rows := conn.execute(rewrite.select, (last,)).fetchall():
        with conn.cursor() as cur:
            cur.executemany(rewrite.update, [rewrite.row(*row) for row in rows])
        last = rows[-1][0]


class PostgresStore:
    """The ``CrawlStore`` on a PostgreSQL database (see ``base.CrawlStore`` for each method).

    ``url`` is a libpq URL; ``?options=-csearch_path%3Dmyschema`` keeps a store
    in its own schema.  Nothing connects until the first call.  One object
    may be used from several threads; its calls are serialised on its one
    connection (give each worker process its own store).
    """

    def __init__(
        self,
        url: str,
        *,
        connect_timeout: float = 10.0,
        reconnect_for: float = 30.0,
        stale_after: dt.timedelta = dt.timedelta(minutes=10),
    ) -> None:
        self.url = url
        self._connect_timeout = connect_timeout
        self._reconnect_for = reconnect_for
        self._stale_after = stale_after
        self._conn: psycopg.Connection[Any] | None = None
        #: Whether a connection ever succeeded (then a failing connect is a lost connection).
        self._was_connected = False
        self._jobs: dict[str, int] = {}
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return f"PostgresStore({self._where()!r})"

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _where(self) -> str:
        """host:port/dbname, never the password, for messages."""
        try:
            info = conninfo_to_dict(self.url)
        except psycopg.Error:
            return "an unparsable URL"
        return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"

    # -- connection and transactions ---------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        # Defaults only: what the URL says wins (tests name their sessions).
        given = conninfo_to_dict(self.url)
        defaults: dict[str, str | int] = {
            "connect_timeout": max(1, round(self._connect_timeout)),
            "application_name": "tidyscrape",  # how an admin tells our sessions apart
        }
        extra = {key: value for key, value in defaults.items() if key not in given}
        conn = psycopg.connect(
            make_conninfo(self.url, **extra),
            autocommit=True,  # transactions are explicit: conn.transaction()
        )
        # The server took us (address, credentials, database are right): from
        # here, losing the session is a lost connection, retried, even in the
        # set-up below (a first connection killed while it migrates).
        self._was_connected = True
        try:
            conn.execute("SET TIME ZONE 'UTC'")
            self._migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _migrate(conn: psycopg.Connection[Any]) -> None:
        """Apply pending migrations in one transaction, under a lock per schema."""
        table = migrations.MIGRATIONS_TABLE
        with conn.transaction():
            # Two workers starting at once on a new database: one migrates, the other waits.
            conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext('tidyscrape.migrate.' || current_schema()))"
            )
            conn.execute(
                f"""CREATE TABLE IF NOT EXISTS {table}
                    (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"""
            )
            applied = {row[0] for row in conn.execute(f"SELECT name FROM {table}")}
            for step in migrations.pending(applied, migrations.POSTGRES):
                for statement in step.statements:
                    conn.execute(statement)
                if step.rewrite is not None:
                    _rewrite(conn, step.rewrite)
                conn.execute(f"INSERT INTO {table} (name) VALUES (%s)", (step.name,))
                logger.info("applied schema step %s", step.name)

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
        return self._conn

    def _reconnect(self, what: str, exc: psycopg.Error, deadline: float) -> None:
        """Wait until ``deadline`` (monotonic) for the server to take connections again."""
        logger.warning("PostgreSQL connection lost during %s (%s); reconnecting", what, exc)
        self._drop()
        pause = 0.1
        while True:
            try:
                self._conn = self._connect()
                return
            except psycopg.OperationalError as again:
                if time.monotonic() + pause > deadline:
                    raise self._error(
                        what, again, f"still unreachable after {self._reconnect_for:g} s"
                    ) from again
                time.sleep(pause)
                pause = min(pause * 2, 2.0)

    def _drop(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def _lost(self, exc: psycopg.Error) -> bool:
        """Whether ``exc`` means the connection is gone (rather than the statement failed)."""
        conn = self._conn
        gone = conn is None or conn.closed or conn.broken
        # An OperationalError without a SQLSTATE comes from the client's side
        # of the socket ("connection socket closed"): the server sent no
        # error, the connection broke.  psycopg does not always mark the
        # connection broken first (a terminated backend seen while entering
        # a transaction), so the error itself says it.
        client_side = isinstance(exc, psycopg.OperationalError) and exc.sqlstate is None
        return gone or client_side or (exc.sqlstate or "").startswith(("08", "57P"))

    def _error(self, what: str, exc: psycopg.Error, detail: str = "") -> StoreError:
        reason = f"{type(exc).__name__}: {str(exc).strip() or exc.sqlstate}"
        if detail:
            reason += f"; {detail}"
        return StoreError(
            f"PostgreSQL store {self._where()}: {what} failed ({reason}); "
            "it was rolled back and nothing committed before was lost: "
            "check the server, then rerun the same command to resume"
        )

    def _run(
        self,
        what: str,
        op: Callable[[PostgresOps], T],
        *,
        replayable: Callable[[], bool] = lambda: True,
    ) -> T:
        """Run ``op`` in one transaction, reconnecting and retrying as the module says."""
        with self._lock:
            reconnects, attempt = 0, 0
            deadline: float | None = None  # of the reconnect window, from the first loss
            while True:
                attempt += 1
                try:
                    conn = self._connection()
                    with conn.transaction():
                        return op(PostgresOps(conn, self._jobs))
                except psycopg.Error as exc:
                    if deadline is None:
                        deadline = time.monotonic() + self._reconnect_for
                    if (
                        self._was_connected
                        and self._lost(exc)
                        and reconnects < _RECONNECTS
                        and time.monotonic() < deadline
                    ):
                        if not replayable():
                            self._drop()
                            raise self._error(what, exc, "the input was consumed") from exc
                        reconnects += 1
                        self._reconnect(what, exc, deadline)
                        continue
                    if exc.sqlstate in _RETRY_STATES and attempt < _ATTEMPTS:
                        logger.info("%s: %s; retrying from the start", what, exc.sqlstate)
                        continue
                    if self._lost(exc):
                        self._drop()
                    raise self._error(what, exc) from exc

    def close(self) -> None:
        with self._lock:
            self._drop()
            self._jobs.clear()

    # -- the CrawlStore methods ------------------------------------------------------------

    def begin_run(self, job: str, worker: str, *, exclusive: bool) -> None:
        self._run(
            "begin_run",
            lambda ops: ops.begin_run(
                job, worker, exclusive=exclusive, now=_now(), stale_after=self._stale_after
            ),
        )

    def end_run(self, job: str, worker: str) -> None:
        self._run("end_run", lambda ops: ops.end_run(job, worker, now=_now()))

    def add_urls(self, job: str, urls: Iterable[NewURL], *, now: dt.datetime) -> int:
        items = _Once(urls)
        return self._run(
            "add_urls",
            lambda ops: ops.add_urls(job, items, now=utc(now)),
            replayable=lambda: isinstance(urls, Sequence) or not items.started,
        )

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
        tries = 0
        skipped = frozenset(skip_hosts)

        def claim(ops: PostgresOps) -> list[Claim]:
            nonlocal tries
            tries += 1
            return ops.claim(
                job,
                worker,
                limit=limit,
                lease=lease,
                host_delay=host_delay,
                now=utc(now),
                replay=tries > 1,
                skip_hosts=skipped,
                per_host=per_host,
            )

        return self._run("claim", claim)

    def set_host_delay(self, job: str, host: str, delay: dt.timedelta) -> None:
        self._run("set_host_delay", lambda ops: ops.set_host_delay(job, host, delay))

    def defer_host(self, job: str, host: str, until: dt.datetime) -> None:
        self._run("defer_host", lambda ops: ops.defer_host(job, host, utc(until)))

    def complete(self, claim: Claim, result: FetchResult, *, now: dt.datetime) -> None:
        self._run("complete", lambda ops: ops.complete(claim, result, now=utc(now)))

    def release(self, claims: Sequence[Claim]) -> None:
        if claims:
            self._run("release", lambda ops: ops.release(claims, now=_now()))

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
        return self._run(
            "record_article",
            lambda ops: ops.record_article(
                claim, record, fingerprint=fingerprint, simhash=simhash, result=result, now=utc(now)
            ),
        )

    def articles_after(self, job: str, seq: int, *, limit: int = 1000) -> list[StoredArticle]:
        return self._run(
            "articles_after", lambda ops: ops.articles(job, seq, limit, latest_only=False)
        )

    def iter_articles(self, job: str) -> Iterator[StoredArticle]:
        # One transaction per page, so a slow consumer holds no snapshot open.
        seq = 0
        while True:
            page = self._run(
                "iter_articles",
                functools.partial(
                    PostgresOps.articles, job=job, after=seq, limit=500, latest_only=True
                ),
            )
            if not page:
                return
            yield from page
            seq = page[-1].seq

    def add_response(self, job: str, response: StoredResponse) -> bool:
        response = dataclasses.replace(response, fetched_at=utc(response.fetched_at))
        return self._run("add_response", lambda ops: ops.add_response(job, response))

    def iter_responses(self, job: str) -> Iterator[StoredResponse]:
        # One transaction per page, so a slow consumer holds no snapshot open.
        after = 0
        while True:
            page = self._run(
                "iter_responses",
                functools.partial(PostgresOps.responses, job=job, after=after, limit=100),
            )
            if not page:
                return
            yield from (response for _, response in page)
            after = page[-1][0]

    def jobs(self) -> list[str]:
        return self._run("jobs", PostgresOps.jobs)

    def stats(self, job: str) -> JobStats:
        return self._run("stats", lambda ops: ops.stats(job, now=_now()))
