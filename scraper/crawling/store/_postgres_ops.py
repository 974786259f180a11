"""The SQL of each PostgresStore operation, run inside a transaction the store opened.

The same steps as ``_sqlite_ops`` (read that module's comments for the
why), with PostgreSQL's means of sharing one job between workers:
``FOR UPDATE SKIP LOCKED`` on hosts and URLs in ``claim``, so workers never
wait for each other's claims nor take the same host at once; a row lock on
the URL and on the job's counter in ``record_article``, so near-duplicate
checks see every committed article and ``seq`` commits in order.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

import psycopg

from scraper.crawling.store import _shared as sh
from scraper.crawling.store.base import (
    ArticleChange,
    Claim,
    FetchResult,
    JobStats,
    NewURL,
    StoredArticle,
    StoredResponse,
)
from scraper.crawling.store.simhash import bands, to_signed, to_unsigned
from scraper.errors import StoreError, StoreLocked

__all__ = ["PostgresOps"]

logger = logging.getLogger(__name__)

_CLAIM_COLUMNS = "id, url, depth, fetch_count, etag, last_modified, fingerprint"
_BAND_QUERY = " UNION ".join(
    f"""SELECT u.url, a.simhash, a.seq, a.duplicate_of FROM articles a
        JOIN urls u ON u.id = a.url_id
        WHERE a.job_id = %(job)s AND a.latest AND a.band{i} = %(b{i})s AND a.url_id <> %(url_id)s"""
    for i in range(4)
)
#: Before every real time: the start of the (ready_at, host) keyset walk.
_LONG_AGO = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


class PostgresOps:
    """Operations on one open transaction of a PostgreSQL store."""

    def __init__(self, conn: psycopg.Connection[Any], job_ids: dict[str, int]) -> None:
        self.conn = conn
        self._job_ids = job_ids

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:  # noqa: ANN401 (a scalar of any column type; each caller knows which)
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def job_id(self, name: str, *, create: bool = True) -> int | None:
        if name in self._job_ids:
            return self._job_ids[name]
        if create:
            self.conn.execute(
                "INSERT INTO jobs (name) VALUES (%s) ON CONFLICT (name) DO NOTHING", (name,)
            )
        job_id: int | None = self._one("SELECT id FROM jobs WHERE name = %s", (name,))
        if job_id is not None:
            self._job_ids[name] = job_id
        return job_id

    # -- runs ------------------------------------------------------------------------------

    def begin_run(
        self,
        job: str,
        worker: str,
        *,
        exclusive: bool,
        now: dt.datetime,
        stale_after: dt.timedelta,
    ) -> None:
        job_id = self.job_id(job)
        # The job row lock serialises concurrent begin_run calls for one job.
        self.conn.execute("SELECT 1 FROM jobs WHERE id = %s FOR UPDATE", (job_id,))
        pid, host = os.getpid(), sh.this_host()
        start = sh.process_start(pid)
        rows = self.conn.execute(
            """SELECT id, worker, pid, host, pid_start, heartbeat_at, exclusive, started_at
               FROM runs WHERE job_id = %s AND finished_at IS NULL""",
            (job_id,),
        ).fetchall()
        mine = None
        for run_id, r_worker, r_pid, r_host, r_start, r_beat, r_excl, r_started in rows:
            if (r_worker, r_pid, r_host, r_start) == (worker, pid, host, start):
                mine = run_id
                continue
            info = sh.RunInfo(r_worker, r_pid, r_host, r_start, r_beat, r_excl)
            if not sh.run_is_live(info, now=now, stale_after=stale_after):
                logger.info(
                    "job %s: %s (pid %s on %s) is gone; taking over", job, r_worker, r_pid, r_host
                )
                self.release_worker(job_id, r_worker, now)
                self.conn.execute(
                    "UPDATE runs SET finished_at = %s, end_state = 'stale' WHERE id = %s",
                    (now, run_id),
                )
            elif exclusive or r_excl:
                todo = (
                    "wait for it to finish or stop it"
                    if r_excl
                    else "start this worker with exclusive=False to join it"
                )
                raise StoreLocked(
                    f"job {job!r} is already running{' exclusively' if r_excl else ''}: "
                    f"worker {r_worker} (pid {r_pid} on {r_host}) since "
                    f"{r_started:%Y-%m-%d %H:%M:%S} UTC; {todo}"
                )
        if mine is not None:
            # A run of this worker in this very process that never ended: its
            # end_run failed with the store (a full disk, a lock held too
            # long) and this process runs the job again (a scheduler, the
            # API).  Nothing of it is in flight any more: hand its leases
            # back, or the new run would wait for them to expire.
            self.release_worker(job_id, worker, now)
            self.conn.execute("UPDATE runs SET heartbeat_at = %s WHERE id = %s", (now, mine))
            return
        self.conn.execute(
            """INSERT INTO runs (job_id, worker, pid, host, pid_start, exclusive, started_at,
                                 heartbeat_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
            (job_id, worker, pid, host, start, exclusive, now, now),
        )

    def end_run(self, job: str, worker: str, *, now: dt.datetime) -> None:
        job_id = self.job_id(job, create=False)
        if job_id is None:
            return
        self.release_worker(job_id, worker, now)
        self.conn.execute(
            """UPDATE runs SET finished_at = %s, end_state = 'finished'
               WHERE job_id = %s AND worker = %s AND finished_at IS NULL""",
            (now, job_id, worker),
        )

    def release_worker(self, job_id: int | None, worker: str, now: dt.datetime) -> None:
        rows = self.conn.execute(
            "SELECT id, host FROM urls WHERE job_id = %s AND lease_worker = %s FOR UPDATE",
            (job_id, worker),
        ).fetchall()
        self._requeue(job_id, rows, now)

    def _requeue(self, job_id: int | None, rows: Sequence[Any], now: dt.datetime) -> None:
        if not rows:
            return
        self.conn.execute(
            """UPDATE urls SET next_due = %s, lease_worker = NULL, lease_until = NULL
               WHERE id = ANY(%s)""",
            (now, [row[0] for row in rows]),
        )
        self._wake(job_id, sorted({row[1] for row in rows}), now)

    def _wake(self, job_id: int | None, hosts: list[str], due: dt.datetime) -> None:
        """URLs of ``hosts`` are due at ``due``: keep each host's ``wake`` a lower bound.

        ``hosts`` must be sorted: concurrent transactions then lock host rows
        in one order and cannot deadlock on them.
        """
        self.conn.execute(
            """INSERT INTO hosts (job_id, host, wake) SELECT %s, h, %s FROM unnest(%s::text[]) h
               ON CONFLICT (job_id, host) DO UPDATE SET wake = LEAST(hosts.wake, EXCLUDED.wake)""",
            (job_id, due, hosts),
        )

    # -- frontier --------------------------------------------------------------------------

    def add_urls(self, job: str, urls: Iterable[NewURL], *, now: dt.datetime) -> int:
        job_id, added = self.job_id(job), 0
        for chunk in sh.chunks(urls, sh.ADD_CHUNK):
            chunk.sort(key=lambda new: new.url)  # one lock order for concurrent inserts
            columns: list[list[Any]] = [[], [], [], [], [], []]
            for new in chunk:
                values = (new.url, sh.host_of(new.url), new.depth, new.priority)
                for column, value in zip(columns, (*values, new.referrer, new.source), strict=True):
                    column.append(value)
            new_hosts = self.conn.execute(
                """WITH new AS (
                       INSERT INTO urls (job_id, url, host, depth, priority, referrer, source,
                                         discovered_at, next_due)
                       SELECT %s, u, h, d, p, r, s, %s, %s
                       FROM unnest(%s::text[], %s::text[], %s::int[], %s::int[], %s::text[],
                                   %s::text[]) AS t (u, h, d, p, r, s)
                       ON CONFLICT (job_id, url) DO NOTHING
                       RETURNING host)
                   SELECT host, count(*) FROM new GROUP BY host ORDER BY host""",
                (job_id, now, now, *columns),
            ).fetchall()
            added += sum(count for _, count in new_hosts)
            if new_hosts:
                self._wake(job_id, [host for host, _ in new_hosts], now)
        return added

    def claim(
        self,
        job: str,
        worker: str,
        *,
        limit: int,
        lease: dt.timedelta,
        host_delay: dt.timedelta,
        now: dt.datetime,
        replay: bool = False,
        skip_hosts: frozenset[str] = frozenset(),
        per_host: int | None = None,
    ) -> list[Claim]:
        """Lease due URLs (see ``CrawlStore.claim``).

        ``replay=True``: this same call (same worker, ``now`` and ``lease``) ran
        before and its answer was lost with the connection, perhaps after its
        commit.  The URLs leased then carry exactly ``now + lease``; they are
        handed out again instead of leasing a second batch, which would keep
        the first one idle until its lease expired.
        """
        job_id = self.job_id(job, create=False)
        if job_id is None:
            return []
        until = now + lease
        if replay:
            done = self.conn.execute(
                f"""SELECT {_CLAIM_COLUMNS} FROM urls
                    WHERE job_id = %s AND lease_worker = %s AND lease_until = %s
                    ORDER BY id LIMIT %s""",
                (job_id, worker, until, limit),
            ).fetchall()
            if done:
                logger.info(
                    "claim replayed: %d URL(s) leased before the connection broke", len(done)
                )
                return [
                    Claim(url, sh.host_of(url), depth, count, etag, lm, fp, until, worker, job)
                    for _, url, depth, count, etag, lm, fp in done
                ]
        self.conn.execute(
            """UPDATE runs SET heartbeat_at = %s
               WHERE job_id = %s AND worker = %s AND finished_at IS NULL""",
            (now, job_id, worker),
        )
        claims: list[Claim] = []
        after: tuple[dt.datetime, str] = (_LONG_AGO, "")
        visited: set[str] = set()
        while len(claims) < limit:
            # SKIP LOCKED: a host another worker is claiming from right now is
            # simply not ours this time; its new next_slot is visible once
            # that worker commits, so the per-host delay holds across workers.
            hosts = self.conn.execute(
                """SELECT host, delay, ready_at FROM hosts
                   WHERE job_id = %s AND ready_at <= %s AND (ready_at, host) > (%s, %s)
                   ORDER BY ready_at, host LIMIT %s FOR UPDATE SKIP LOCKED""",
                (job_id, now, *after, limit - len(claims) + 8),
            ).fetchall()
            if not hosts:
                break
            after = (hosts[-1][2], hosts[-1][0])
            for host, host_delay_row, _ in hosts:
                if host in visited or host in skip_hosts:
                    continue  # skipped: all its connections are busy; it keeps its slot
                visited.add(host)
                delay = max(host_delay_row, host_delay)
                want = limit - len(claims) if not delay else 1
                if per_host is not None:
                    want = min(want, per_host)
                picked = self._due(job_id, host, now, want)
                if picked:
                    self.conn.execute(
                        """UPDATE urls SET next_due = %s, lease_worker = %s, lease_until = %s
                           WHERE id = ANY(%s)""",
                        (until, worker, until, [row[0] for row in picked]),
                    )
                    self.conn.execute(
                        "UPDATE hosts SET next_slot = %s WHERE job_id = %s AND host = %s",
                        (now + delay, job_id, host),
                    )
                if len(picked) < want:
                    self.conn.execute(
                        "UPDATE hosts SET wake = %s WHERE job_id = %s AND host = %s",
                        (self._earliest_due(job_id, host), job_id, host),
                    )
                claims += [
                    Claim(url, host, depth, count, etag, lm, fp, until, worker, job)
                    for _, url, depth, count, etag, lm, fp in picked
                ]
                if len(claims) >= limit:
                    break
        return claims

    def _priorities(self, job_id: int, host: str) -> Iterable[int]:
        """The host's queued priorities, highest first (a hand-made skip-scan)."""
        top = """SELECT max(priority) FROM urls
                  WHERE job_id = %s AND host = %s AND next_due IS NOT NULL"""
        priority = self._one(top, (job_id, host))
        while priority is not None:
            yield priority
            priority = self._one(top + " AND priority < %s", (job_id, host, priority))

    def _due(self, job_id: int, host: str, now: dt.datetime, want: int) -> list[Any]:
        picked: list[Any] = []
        for priority in self._priorities(job_id, host):
            picked += self.conn.execute(
                f"""SELECT {_CLAIM_COLUMNS} FROM urls
                    WHERE job_id = %s AND host = %s AND priority = %s
                      AND next_due IS NOT NULL AND next_due <= %s
                    ORDER BY next_due LIMIT %s FOR UPDATE SKIP LOCKED""",
                (job_id, host, priority, now, want - len(picked)),
            ).fetchall()
            if len(picked) >= want:
                break
        return picked

    def _earliest_due(self, job_id: int, host: str) -> dt.datetime | None:
        earliest = [
            self._one(
                """SELECT min(next_due) FROM urls
                   WHERE job_id = %s AND host = %s AND priority = %s AND next_due IS NOT NULL""",
                (job_id, host, priority),
            )
            for priority in self._priorities(job_id, host)
        ]
        return min(earliest, default=None)

    def set_host_delay(self, job: str, host: str, delay: dt.timedelta) -> None:
        self.conn.execute(
            """INSERT INTO hosts (job_id, host, delay) VALUES (%s, %s, %s)
               ON CONFLICT (job_id, host)
               DO UPDATE SET delay = GREATEST(hosts.delay, EXCLUDED.delay)""",
            (self.job_id(job), host, delay),
        )

    def defer_host(self, job: str, host: str, until: dt.datetime) -> None:
        self.conn.execute(
            """INSERT INTO hosts (job_id, host, next_slot) VALUES (%s, %s, %s)
               ON CONFLICT (job_id, host)
               DO UPDATE SET next_slot = GREATEST(hosts.next_slot, EXCLUDED.next_slot)""",
            (self.job_id(job), host, until),
        )

    def _leased_row(self, job_id: int, claim: Claim) -> tuple[int, str] | None:
        row = self.conn.execute(
            """SELECT id, host FROM urls
               WHERE job_id = %s AND url = %s AND lease_worker = %s AND lease_until = %s
               FOR UPDATE""",
            (job_id, claim.url, claim.worker, claim.lease_until),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def finish(
        self,
        job_id: int,
        claim: Claim,
        result: FetchResult,
        *,
        now: dt.datetime,
        fingerprint: str | None,
    ) -> None:
        """Store a fetch result and end the lease; a no-op if the lease is no longer ours."""
        row = self._leased_row(job_id, claim)
        if row is None:
            logger.info("lease on %s lost (expired and re-claimed): result not stored", claim.url)
            return
        url_id, host = row
        fresh = result.outcome == "ok"
        self.conn.execute(
            """UPDATE urls SET next_due = %(next_due)s, lease_worker = NULL, lease_until = NULL,
                   fetch_count = fetch_count + 1, last_fetched = %(now)s, status = %(status)s,
                   outcome = %(outcome)s, error_type = %(error_type)s,
                   error_message = %(error_message)s,
                   etag = CASE WHEN %(fresh)s THEN %(etag)s ELSE COALESCE(%(etag)s, etag) END,
                   last_modified = CASE WHEN %(fresh)s THEN %(lm)s
                                        ELSE COALESCE(%(lm)s, last_modified) END,
                   fingerprint = COALESCE(%(fingerprint)s, fingerprint)
               WHERE id = %(id)s""",
            {
                "next_due": result.next_due,
                "now": now,
                "status": result.status,
                "outcome": result.outcome,
                "error_type": result.error_type,
                "error_message": sh.error_text(result.error_message),
                "fresh": fresh,
                "etag": result.etag,
                "lm": result.last_modified,
                "fingerprint": fingerprint,
                "id": url_id,
            },
        )
        if result.next_due is not None:
            self._wake(job_id, [host], result.next_due)

    def complete(self, claim: Claim, result: FetchResult, *, now: dt.datetime) -> None:
        job_id = self.job_id(claim.job, create=False)
        if job_id is not None:
            self.finish(job_id, claim, result, now=now, fingerprint=result.fingerprint)

    def release(self, claims: Sequence[Claim], *, now: dt.datetime) -> None:
        for claim in sorted(claims, key=lambda c: (c.job, c.url)):
            job_id = self.job_id(claim.job, create=False)
            row = None if job_id is None else self._leased_row(job_id, claim)
            if row is not None:
                self._requeue(job_id, [row], now)

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
        job_id = self.job_id(claim.job)
        assert job_id is not None
        # Locking the URL row serialises two workers recording one URL.
        url_id = self._one(
            "SELECT id FROM urls WHERE job_id = %s AND url = %s FOR UPDATE", (job_id, claim.url)
        )
        if url_id is None:
            raise StoreError(f"{claim.url} is not in job {claim.job!r}: claim it from this store")
        done = self.conn.execute(
            """SELECT change, seq, first_seen, last_changed, duplicate_of FROM articles
               WHERE url_id = %s AND claim_lease_until = %s AND claim_worker = %s""",
            (url_id, claim.lease_until, claim.worker),
        ).fetchone()
        if done is not None:  # a replay after a lost answer: what was decided then
            return ArticleChange(*done)
        last = self.conn.execute(
            """SELECT id, fingerprint, first_seen, last_changed, duplicate_of FROM articles
               WHERE url_id = %s AND latest""",
            (url_id,),
        ).fetchone()
        change = sh.decide_change(None if last is None else last[1], fingerprint)
        if change == "unchanged":
            assert last is not None  # "unchanged" means there is a last version
            outcome = ArticleChange("unchanged", None, last[2], last[3], last[4])
        else:
            # Take the job's counter first: its row lock orders concurrent
            # record_article calls, so the duplicate check below sees every
            # article committed before ours, and seqs commit in order.
            seq = self._one(
                "UPDATE jobs SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq",
                (job_id,),
            )
            candidates = self.conn.execute(
                _BAND_QUERY,
                {"job": job_id, "url_id": url_id}
                | {f"b{i}": b for i, b in enumerate(bands(simhash))},
            )
            duplicate_of = sh.nearest_duplicate(
                simhash,
                (sh.Candidate(u, to_unsigned(h), s, d) for u, h, s, d in candidates),
            )
            first_seen = now if last is None else last[2]
            if last is not None:
                self.conn.execute("UPDATE articles SET latest = false WHERE id = %s", (last[0],))
            self.conn.execute(
                """INSERT INTO articles (job_id, seq, url_id, record, fingerprint, simhash,
                       band0, band1, band2, band3, change, first_seen, last_changed,
                       duplicate_of, claim_worker, claim_lease_until, latest)
                   VALUES (%s, %s, %s, %s::json, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                           %s, true)""",
                (
                    job_id,
                    seq,
                    url_id,
                    sh.dump_record(record),
                    fingerprint,
                    to_signed(simhash),
                    *bands(simhash),
                    change,
                    first_seen,
                    now,
                    duplicate_of,
                    claim.worker,
                    claim.lease_until,
                ),
            )
            outcome = ArticleChange(change, seq, first_seen, now, duplicate_of)
        self.finish(job_id, claim, result, now=now, fingerprint=fingerprint)
        return outcome

    def add_response(self, job: str, response: StoredResponse) -> bool:
        job_id = self.job_id(job)
        packed, digest = sh.pack_body(response.body)
        last = self.conn.execute(
            """SELECT digest FROM responses WHERE job_id = %s AND url = %s
               ORDER BY id DESC LIMIT 1""",
            (job_id, response.url),
        ).fetchone()
        if last is not None and last[0] == digest:
            return False
        self.conn.execute(
            """INSERT INTO responses (job_id, url, fetched_at, status, headers, body, digest)
               VALUES (%s, %s, %s, %s, %s, %s, %s)""",
            (
                job_id,
                response.url,
                response.fetched_at,
                response.status,
                sh.dump_headers(response.headers),
                packed,
                digest,
            ),
        )
        return True

    def responses(self, job: str, after: int, limit: int) -> list[tuple[int, StoredResponse]]:
        job_id = self.job_id(job, create=False)
        if job_id is None:
            return []
        rows = self.conn.execute(
            """SELECT id, url, fetched_at, status, headers, body FROM responses
               WHERE job_id = %s AND id > %s ORDER BY id LIMIT %s""",
            (job_id, after, limit),
        )
        return [
            (
                row_id,
                StoredResponse(
                    url, at, status, sh.load_headers(headers), sh.unpack_body(bytes(body))
                ),
            )
            for row_id, url, at, status, headers, body in rows
        ]

    def articles(
        self, job: str, after: int, limit: int, *, latest_only: bool
    ) -> list[StoredArticle]:
        job_id = self.job_id(job, create=False)
        if job_id is None:
            return []
        rows = self.conn.execute(
            f"""SELECT a.seq, u.url, a.record, a.change, a.first_seen, a.last_changed,
                       a.duplicate_of
                FROM articles a JOIN urls u ON u.id = a.url_id
                WHERE a.job_id = %s AND a.seq > %s {"AND a.latest" if latest_only else ""}
                ORDER BY a.seq LIMIT %s""",
            (job_id, after, limit),
        )
        return [StoredArticle(*row) for row in rows]

    def jobs(self) -> list[str]:
        return [name for (name,) in self.conn.execute("SELECT name FROM jobs ORDER BY name")]

    def stats(self, job: str, *, now: dt.datetime) -> JobStats:
        job_id = self.job_id(job, create=False)
        if job_id is None:
            return JobStats(0, 0, 0, 0, 0, {}, None, None)
        row = self.conn.execute(
            """SELECT count(*) FILTER (WHERE next_due IS NOT NULL),
                      count(*) FILTER (WHERE lease_worker IS NOT NULL AND lease_until > %s),
                      count(*) FILTER (WHERE next_due <= %s),
                      count(*) FILTER (WHERE fetch_count > 0)
               FROM urls WHERE job_id = %s""",
            (now, now, job_id),
        ).fetchone()
        assert row is not None
        queued, leased, due, fetched = row
        articles = self._one(
            "SELECT count(*) FROM articles WHERE job_id = %s AND latest", (job_id,)
        )
        errors = dict(
            self.conn.execute(
                """SELECT error_type, count(*) FROM urls
                   WHERE job_id = %s AND error_type IS NOT NULL GROUP BY error_type""",
                (job_id,),
            ).fetchall()
        )
        last_run = self.conn.execute(
            """SELECT started_at, finished_at FROM runs WHERE job_id = %s
               ORDER BY started_at DESC LIMIT 1""",
            (job_id,),
        ).fetchone() or (None, None)
        return JobStats(
            queued=queued - leased,
            due=due,
            leased=leased,
            fetched=fetched,
            articles=articles,
            errors_by_type=errors,
            last_run_started=last_run[0],
            last_run_finished=last_run[1],
        )
