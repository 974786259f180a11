"""The SQL of each SQLiteStore operation, run inside a transaction the store opened.

Split from ``sqlite.py`` (connection, transactions, error mapping) so that
each module does one job.  Times are integer microseconds since the epoch.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

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

__all__ = ["SQLiteOps"]

logger = logging.getLogger(__name__)

_CLAIM_COLUMNS = "id, url, depth, fetch_count, etag, last_modified, fingerprint"
_BAND_QUERY = " UNION ".join(
    f"""SELECT u.url, a.simhash, a.seq, a.duplicate_of FROM articles a
        JOIN urls u ON u.id = a.url_id
        WHERE a.job_id = :job AND a.latest AND a.band{i} = :b{i} AND a.url_id != :url_id"""
    for i in range(4)
)


def _us(delta: dt.timedelta) -> int:
    return delta // dt.timedelta(microseconds=1)


def _time(value: int | None) -> dt.datetime | None:
    return None if value is None else sh.from_micros(value)


class SQLiteOps:
    """Operations on one open transaction of a SQLite store."""

    def __init__(self, conn: sqlite3.Connection, job_ids: dict[str, int]) -> None:
        self.conn = conn
        self._job_ids = job_ids  # the store's name -> id cache (ids never change)

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:  # noqa: ANN401 (a scalar of any column type; each caller knows which)
        row = self.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def job_id(self, name: str, *, create: bool = True) -> int | None:
        if name in self._job_ids:
            return self._job_ids[name]
        if create:
            self.conn.execute("INSERT INTO jobs (name) VALUES (?) ON CONFLICT DO NOTHING", (name,))
        job_id: int | None = self._one("SELECT id FROM jobs WHERE name = ?", (name,))
        if job_id is not None:
            self._job_ids[name] = job_id
        return job_id

    # -- runs ------------------------------------------------------------------------------

    def begin_run(
        self,
        job_id: int | None,
        job: str,
        worker: str,
        *,
        exclusive: bool,
        now: dt.datetime,
        stale_after: dt.timedelta,
    ) -> None:
        assert job_id is not None
        pid, host, now_us = os.getpid(), sh.this_host(), sh.to_micros(now)
        start = sh.process_start(pid)
        rows = self.conn.execute(
            """SELECT id, worker, pid, host, pid_start, heartbeat_at, exclusive, started_at
               FROM runs WHERE job_id = ? AND finished_at IS NULL""",
            (job_id,),
        ).fetchall()
        mine = None
        for run_id, r_worker, r_pid, r_host, r_start, r_beat, r_excl, r_started in rows:
            if (r_worker, r_pid, r_host, r_start) == (worker, pid, host, start):
                mine = run_id  # begin_run twice from one worker: harmless
                continue
            info = sh.RunInfo(r_worker, r_pid, r_host, r_start, sh.from_micros(r_beat), r_excl)
            if not sh.run_is_live(info, now=now, stale_after=stale_after):
                logger.info(
                    "job %s: %s (pid %s on %s) is dead; taking over", job, r_worker, r_pid, r_host
                )
                self.release_worker(job_id, r_worker, now_us)
                self.conn.execute(
                    "UPDATE runs SET finished_at = ?, end_state = 'stale' WHERE id = ?",
                    (now_us, run_id),
                )
            elif exclusive or r_excl:
                since = sh.from_micros(r_started).strftime("%Y-%m-%d %H:%M:%S UTC")
                raise StoreLocked(
                    f"job {job!r} is already running: worker {r_worker} (pid {r_pid} on "
                    f"{r_host}) since {since}; wait for it to finish or stop it, or use a "
                    "PostgreSQL store to run several workers on one job"
                )
        if mine is not None:
            # A run of this worker in this very process that never ended: its
            # end_run failed with the store (a full disk, a lock held too
            # long) and this process runs the job again (a scheduler, the
            # API).  Nothing of it is in flight any more: hand its leases
            # back, or the new run would wait for them to expire.
            self.release_worker(job_id, worker, now_us)
            self.conn.execute("UPDATE runs SET heartbeat_at = ? WHERE id = ?", (now_us, mine))
            return
        self.conn.execute(
            """INSERT INTO runs (job_id, worker, pid, host, pid_start, exclusive, started_at,
                                 heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
            (job_id, worker, pid, host, start, exclusive, now_us, now_us),
        )

    def end_run(self, job_id: int, worker: str, *, now: dt.datetime) -> None:
        now_us = sh.to_micros(now)
        self.release_worker(job_id, worker, now_us)
        self.conn.execute(
            """UPDATE runs SET finished_at = ?, end_state = 'finished'
               WHERE job_id = ? AND worker = ? AND finished_at IS NULL""",
            (now_us, job_id, worker),
        )

    def release_worker(self, job_id: int, worker: str, now_us: int) -> None:
        """Every lease ``worker`` holds becomes due now (end of run, takeover)."""
        rows = self.conn.execute(
            "SELECT id, host FROM urls WHERE job_id = ? AND lease_worker = ?", (job_id, worker)
        ).fetchall()
        self._requeue(job_id, rows, now_us)

    def _requeue(self, job_id: int, rows: Iterable[tuple[int, str]], now_us: int) -> None:
        rows = list(rows)
        self.conn.executemany(
            """UPDATE urls SET next_due = ?, lease_worker = NULL, lease_until = NULL
               WHERE id = ?""",
            [(now_us, url_id) for url_id, _ in rows],
        )
        for host in sorted({host for _, host in rows}):
            self._wake(job_id, host, now_us)

    def _wake(self, job_id: int, host: str, due_us: int) -> None:
        """A URL of ``host`` is due at ``due_us``: keep the host's ``wake`` a lower bound."""
        self.conn.execute(
            """INSERT INTO hosts (job_id, host, wake) VALUES (?, ?, ?)
               ON CONFLICT (job_id, host)
               DO UPDATE SET wake = MIN(COALESCE(wake, excluded.wake), excluded.wake)""",
            (job_id, host, due_us),
        )

    # -- frontier --------------------------------------------------------------------------

    def add_urls(self, job_id: int | None, urls: Iterable[NewURL], *, now: dt.datetime) -> int:
        assert job_id is not None
        now_us, added = sh.to_micros(now), 0
        for chunk in sh.chunks(urls, sh.ADD_CHUNK):
            by_host: dict[str, list[tuple[Any, ...]]] = {}
            for new in chunk:
                host = sh.host_of(new.url)
                by_host.setdefault(host, []).append(
                    (job_id, new.url, host, new.depth, new.priority, new.referrer, new.source)
                )
            for host in sorted(by_host):
                before = self.conn.total_changes
                self.conn.executemany(
                    f"""INSERT INTO urls (job_id, url, host, depth, priority, referrer, source,
                                          discovered_at, next_due)
                        VALUES (?, ?, ?, ?, ?, ?, ?, {now_us}, {now_us})
                        ON CONFLICT (job_id, url) DO NOTHING""",
                    by_host[host],
                )
                new_rows = self.conn.total_changes - before
                if new_rows:  # only hosts that really got work are woken
                    added += new_rows
                    self._wake(job_id, host, now_us)
        return added

    def claim(
        self,
        job_id: int,
        job: str,
        worker: str,
        *,
        limit: int,
        lease: dt.timedelta,
        host_delay: dt.timedelta,
        now: dt.datetime,
        skip_hosts: frozenset[str] = frozenset(),
        per_host: int | None = None,
    ) -> list[Claim]:
        now_us = sh.to_micros(now)
        until_us = now_us + _us(lease)
        until = sh.from_micros(until_us)
        self.conn.execute(
            """UPDATE runs SET heartbeat_at = ?
               WHERE job_id = ? AND worker = ? AND finished_at IS NULL""",
            (now_us, job_id, worker),
        )
        claims: list[Claim] = []
        after: tuple[int, str] = (-(2**63), "")
        while len(claims) < limit:
            # Hosts ready now, oldest first.  Each one visited either yields a
            # URL and moves its slot past now, or gets its exact ``wake``, so a
            # host with nothing due is not visited again until it has work.
            hosts = self.conn.execute(
                """SELECT host, delay, ready_at FROM hosts
                   WHERE job_id = ? AND ready_at <= ? AND (ready_at, host) > (?, ?)
                   ORDER BY ready_at, host LIMIT ?""",
                (job_id, now_us, *after, limit - len(claims) + 8),
            ).fetchall()
            if not hosts:
                break
            after = (hosts[-1][2], hosts[-1][0])
            for host, delay_us, _ in hosts:
                if host in skip_hosts:
                    continue  # all its connections are busy: it keeps its slot
                delay = max(delay_us, _us(host_delay))
                want = limit - len(claims) if delay == 0 else 1
                if per_host is not None:
                    want = min(want, per_host)
                picked = self._due(job_id, host, now_us, want)
                if picked:
                    self.conn.executemany(
                        """UPDATE urls SET next_due = ?, lease_worker = ?, lease_until = ?
                           WHERE id = ?""",
                        [(until_us, worker, until_us, row[0]) for row in picked],
                    )
                    self.conn.execute(
                        "UPDATE hosts SET next_slot = ? WHERE job_id = ? AND host = ?",
                        (now_us + delay, job_id, host),
                    )
                if len(picked) < want:
                    self.conn.execute(
                        "UPDATE hosts SET wake = ? WHERE job_id = ? AND host = ?",
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
        """The host's queued priorities, highest first, one index seek each.

        A skip-scan by hand: ``ORDER BY priority DESC, next_due`` with a
        ``next_due <= now`` filter would walk every not-yet-due URL of a host.
        """
        top = """SELECT MAX(priority) FROM urls
                  WHERE job_id = ? AND host = ? AND next_due IS NOT NULL"""
        priority = self._one(top, (job_id, host))
        while priority is not None:
            yield priority
            priority = self._one(top + " AND priority < ?", (job_id, host, priority))

    def _due(self, job_id: int, host: str, now_us: int, want: int) -> list[tuple[Any, ...]]:
        """Up to ``want`` due URLs of ``host``: highest priority, then longest overdue."""
        picked: list[tuple[Any, ...]] = []
        for priority in self._priorities(job_id, host):
            picked += self.conn.execute(
                f"""SELECT {_CLAIM_COLUMNS} FROM urls
                    WHERE job_id = ? AND host = ? AND priority = ?
                      AND next_due IS NOT NULL AND next_due <= ?
                    ORDER BY next_due LIMIT ?""",
                (job_id, host, priority, now_us, want - len(picked)),
            ).fetchall()
            if len(picked) >= want:
                break
        return picked

    def _earliest_due(self, job_id: int, host: str) -> int | None:
        """The exact earliest ``next_due`` of the host's queued URLs (None: nothing queued)."""
        earliest = [
            self._one(
                """SELECT MIN(next_due) FROM urls
                   WHERE job_id = ? AND host = ? AND priority = ? AND next_due IS NOT NULL""",
                (job_id, host, priority),
            )
            for priority in self._priorities(job_id, host)
        ]
        return min(earliest, default=None)

    def set_host_delay(self, job_id: int | None, host: str, delay: dt.timedelta) -> None:
        self.conn.execute(
            """INSERT INTO hosts (job_id, host, delay) VALUES (?, ?, ?)
               ON CONFLICT (job_id, host) DO UPDATE SET delay = MAX(delay, excluded.delay)""",
            (job_id, host, _us(delay)),
        )

    def defer_host(self, job_id: int | None, host: str, until: dt.datetime) -> None:
        self.conn.execute(
            """INSERT INTO hosts (job_id, host, next_slot) VALUES (?, ?, ?)
               ON CONFLICT (job_id, host)
               DO UPDATE SET next_slot = MAX(next_slot, excluded.next_slot)""",
            (job_id, host, sh.to_micros(until)),
        )

    def _leased_row(self, job_id: int, claim: Claim) -> tuple[int, str] | None:
        """The URL row if ``claim`` still holds its lease (else it expired and was re-claimed)."""
        row = self.conn.execute(
            """SELECT id, host FROM urls
               WHERE job_id = ? AND url = ? AND lease_worker = ? AND lease_until = ?""",
            (job_id, claim.url, claim.worker, sh.to_micros(claim.lease_until)),
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
        """Store a fetch result and end the lease; a no-op if the lease is no longer ours.

        That check makes ``complete`` idempotent and keeps a worker whose lease
        ran out from overwriting the result of the worker that took it over.
        """
        row = self._leased_row(job_id, claim)
        if row is None:
            logger.info("lease on %s lost (expired and re-claimed): result not stored", claim.url)
            return
        url_id, host = row
        fresh = result.outcome == "ok"  # a full response replaces the validators
        next_due = None if result.next_due is None else sh.to_micros(result.next_due)
        self.conn.execute(
            """UPDATE urls SET next_due = ?, lease_worker = NULL, lease_until = NULL,
                   fetch_count = fetch_count + 1, last_fetched = ?, status = ?, outcome = ?,
                   error_type = ?, error_message = ?,
                   etag = CASE WHEN ? THEN ? ELSE COALESCE(?, etag) END,
                   last_modified = CASE WHEN ? THEN ? ELSE COALESCE(?, last_modified) END,
                   fingerprint = COALESCE(?, fingerprint)
               WHERE id = ?""",
            (
                next_due,
                sh.to_micros(now),
                result.status,
                result.outcome,
                result.error_type,
                sh.error_text(result.error_message),
                fresh,
                result.etag,
                result.etag,
                fresh,
                result.last_modified,
                result.last_modified,
                fingerprint,
                url_id,
            ),
        )
        if next_due is not None:
            self._wake(job_id, host, next_due)

    def release(self, claims: Sequence[Claim], *, now: dt.datetime) -> None:
        for claim in claims:
            job_id = self.job_id(claim.job, create=False)
            row = None if job_id is None else self._leased_row(job_id, claim)
            if job_id is not None and row is not None:
                self._requeue(job_id, [row], sh.to_micros(now))

    # -- articles ------------------------------------------------------------------------------

    def record_article(
        self,
        job_id: int | None,
        claim: Claim,
        record: dict[str, Any],
        *,
        fingerprint: str,
        simhash: int,
        result: FetchResult,
        now: dt.datetime,
    ) -> ArticleChange:
        assert job_id is not None
        url_id = self._one("SELECT id FROM urls WHERE job_id = ? AND url = ?", (job_id, claim.url))
        if url_id is None:
            raise StoreError(f"{claim.url} is not in job {claim.job!r}: claim it from this store")
        lease_us = sh.to_micros(claim.lease_until)
        # A replay (the first attempt committed, then its answer was lost):
        # return what was decided then instead of numbering the article twice.
        done = self.conn.execute(
            """SELECT change, seq, first_seen, last_changed, duplicate_of FROM articles
               WHERE url_id = ? AND claim_lease_until = ? AND claim_worker = ?""",
            (url_id, lease_us, claim.worker),
        ).fetchone()
        if done is not None:
            first, changed = sh.from_micros(done[2]), sh.from_micros(done[3])
            return ArticleChange(done[0], done[1], first, changed, done[4])
        last = self.conn.execute(
            """SELECT id, fingerprint, first_seen, last_changed, duplicate_of FROM articles
               WHERE url_id = ? AND latest""",
            (url_id,),
        ).fetchone()
        change = sh.decide_change(None if last is None else last[1], fingerprint)
        now_us = sh.to_micros(now)
        if change == "unchanged":
            assert last is not None  # "unchanged" means there is a last version
            outcome = ArticleChange(
                "unchanged", None, sh.from_micros(last[2]), sh.from_micros(last[3]), last[4]
            )
        else:
            candidates = self.conn.execute(
                _BAND_QUERY,
                {"job": job_id, "url_id": url_id}
                | {f"b{i}": b for i, b in enumerate(bands(simhash))},
            )
            duplicate_of = sh.nearest_duplicate(
                simhash,
                (sh.Candidate(u, to_unsigned(h), s, d) for u, h, s, d in candidates),
            )
            seq = self._one(
                "UPDATE jobs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq",
                (job_id,),
            )
            first_seen = now_us if last is None else last[2]
            if last is not None:
                self.conn.execute("UPDATE articles SET latest = 0 WHERE id = ?", (last[0],))
            self.conn.execute(
                """INSERT INTO articles (job_id, seq, url_id, record, fingerprint, simhash,
                       band0, band1, band2, band3, change, first_seen, last_changed,
                       duplicate_of, claim_worker, claim_lease_until, latest)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)""",
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
                    now_us,
                    duplicate_of,
                    claim.worker,
                    lease_us,
                ),
            )
            outcome = ArticleChange(
                change, seq, sh.from_micros(first_seen), sh.from_micros(now_us), duplicate_of
            )
        self.finish(job_id, claim, result, now=now, fingerprint=fingerprint)
        return outcome

    def add_response(self, job_id: int, response: StoredResponse) -> bool:
        packed, digest = sh.pack_body(response.body)
        last = self.conn.execute(
            "SELECT digest FROM responses WHERE job_id = ? AND url = ? ORDER BY id DESC LIMIT 1",
            (job_id, response.url),
        ).fetchone()
        if last is not None and last[0] == digest:
            return False
        self.conn.execute(
            """INSERT INTO responses (job_id, url, fetched_at, status, headers, body, digest)
               VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                job_id,
                response.url,
                sh.to_micros(response.fetched_at),
                response.status,
                sh.dump_headers(response.headers),
                packed,
                digest,
            ),
        )
        return True

    def responses(self, job_id: int, after: int, limit: int) -> list[tuple[int, StoredResponse]]:
        rows = self.conn.execute(
            """SELECT id, url, fetched_at, status, headers, body FROM responses
               WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?""",
            (job_id, after, limit),
        )
        return [
            (
                row_id,
                StoredResponse(
                    url, sh.from_micros(at), status, sh.load_headers(headers), sh.unpack_body(body)
                ),
            )
            for row_id, url, at, status, headers, body in rows
        ]

    def articles(
        self, job_id: int, after: int, limit: int, *, latest_only: bool
    ) -> list[StoredArticle]:
        rows = self.conn.execute(
            f"""SELECT a.seq, u.url, a.record, a.change, a.first_seen, a.last_changed,
                       a.duplicate_of
                FROM articles a JOIN urls u ON u.id = a.url_id
                WHERE a.job_id = ? AND a.seq > ? {"AND a.latest" if latest_only else ""}
                ORDER BY a.seq LIMIT ?""",
            (job_id, after, limit),
        )
        return [
            StoredArticle(
                seq,
                url,
                json.loads(record),
                change,
                sh.from_micros(first_seen),
                sh.from_micros(last_changed),
                duplicate_of,
            )
            for seq, url, record, change, first_seen, last_changed, duplicate_of in rows
        ]

    def jobs(self) -> list[str]:
        return [name for (name,) in self.conn.execute("SELECT name FROM jobs ORDER BY name")]

    def stats(self, job_id: int | None, *, now: dt.datetime) -> JobStats:
        if job_id is None:
            return JobStats(0, 0, 0, 0, 0, {}, None, None)
        now_us = sh.to_micros(now)
        count = "SELECT COUNT(*) FROM urls WHERE job_id = ? AND "
        queued = self._one(count + "next_due IS NOT NULL", (job_id,))
        leased = self._one(count + "lease_worker IS NOT NULL AND lease_until > ?", (job_id, now_us))
        due = self._one(count + "next_due IS NOT NULL AND next_due <= ?", (job_id, now_us))
        fetched = self._one(count + "fetch_count > 0", (job_id,))
        articles = self._one("SELECT COUNT(*) FROM articles WHERE job_id = ? AND latest", (job_id,))
        errors = dict(
            self.conn.execute(
                """SELECT error_type, COUNT(*) FROM urls
                   WHERE job_id = ? AND error_type IS NOT NULL GROUP BY error_type""",
                (job_id,),
            ).fetchall()
        )
        last_run = self.conn.execute(
            """SELECT started_at, finished_at FROM runs WHERE job_id = ?
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
            last_run_started=_time(last_run[0]),
            last_run_finished=_time(last_run[1]),
        )
