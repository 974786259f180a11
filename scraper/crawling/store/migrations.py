"""The store schemas, as small named migrations applied once each (like sqlite-utils).

Why migrations rather than ``CREATE TABLE IF NOT EXISTS``: a store outlives
the version of tidyscrape that created it (a cron job keeps one for months).
Each change to the schema is a new named step appended below, never an edit
of an old one; the table ``_migrations`` records which steps a store has.  A
store holding a step this code does not know was written by a newer version:
we refuse to touch it rather than guess.

Both backends keep the same tables and meaning; SQLite stores times as
integer microseconds since the epoch, PostgreSQL as ``timestamptz``.

Tables
------
``jobs``      one row per job name, with the output sequence counter ``last_seq``.
``urls``      the frontier and each URL's state.  ``next_due`` NULL = never again;
              a claimed URL's ``next_due`` is its lease end, so an expired lease
              makes it due again with no clean-up pass.
``hosts``     per-host politeness: ``next_slot`` (earliest next contact), ``delay``
              (Crawl-delay) and ``wake``, a lower bound of the host's earliest
              ``next_due`` (NULL = nothing queued).  ``claim`` walks hosts by
              ``ready_at`` = max(next_slot, wake), so hosts that are busy or have
              nothing due cost nothing, however large the frontier.
``articles``  every stored version of every article, numbered by ``seq``; ``latest``
              marks each URL's current version; ``band0..3`` index the simhash.
``runs``      who runs each job: pid, start time, machine, heartbeat.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from scraper.crawling.store.simhash import bands, simhash, to_signed
from scraper.errors import StoreError

__all__ = ["MIGRATIONS_TABLE", "POSTGRES", "SQLITE", "Migration", "Rewrite", "pending"]

#: Where each store records the migrations it has applied.
MIGRATIONS_TABLE = "_migrations"


@dataclass(frozen=True, slots=True)
class Rewrite:
    """Rows a step recomputes in Python, after its statements, in the same transaction.

    ``select`` takes the last key seen and returns the next batch of rows, key
    first, in key order (keyset pages: no row is read twice, none is missed);
    ``update`` runs with ``row(*values)`` for each.
    """

    select: str
    update: str
    row: Callable[..., tuple[Any, ...]]


@dataclass(frozen=True, slots=True)
class Migration:
    """One named schema step: statements run in one transaction, recorded by name."""

    name: str
    statements: tuple[str, ...]
    rewrite: Rewrite | None = None


#: Rows a rewrite reads per batch.
REWRITE_BATCH = 500


def rehash_article(row_id: int, record: str | dict[str, Any]) -> tuple[int, ...]:
    """New simhash and bands of one stored article, from the text of its record.

    ``record`` is JSON text (SQLite) or already decoded (PostgreSQL's json).

    >>> rehash_article(7, '{"text": ""}')
    (0, 0, 0, 0, 0, 7)
    """
    data = json.loads(record) if isinstance(record, str) else record
    value = simhash(str(data.get("text") or ""))
    return (to_signed(value), *bands(value), row_id)


def pending(applied: Collection[str], migrations: Sequence[Migration]) -> list[Migration]:
    """The migrations still to apply, in order; refuses a store from a newer version.

    >>> [m.name for m in pending({"a"}, [Migration("a", ()), Migration("b", ())])]
    ['b']
    """
    known = {m.name for m in migrations}
    unknown = sorted(set(applied) - known)
    if unknown:
        raise StoreError(
            f"the store has schema steps this version does not know ({', '.join(unknown)}): "
            "it was written by a newer tidyscrape; upgrade tidyscrape to use it"
        )
    return [m for m in migrations if m.name not in applied]


# 0005: simhash moved from a blake2b per shingle to numpy arithmetic (see
# ``simhash.simhash``); stored hashes are recomputed from the stored text so
# that near-duplicates are still found across the change.
_REHASH_SQLITE = Rewrite(
    select=f"SELECT id, record FROM articles WHERE id > ? ORDER BY id LIMIT {REWRITE_BATCH}",
    update="""UPDATE articles SET simhash = ?, band0 = ?, band1 = ?, band2 = ?, band3 = ?
              WHERE id = ?""",
    row=rehash_article,
)
_REHASH_POSTGRES = Rewrite(
    select=f"SELECT id, record FROM articles WHERE id > %s ORDER BY id LIMIT {REWRITE_BATCH}",
    update="""UPDATE articles SET simhash = %s, band0 = %s, band1 = %s, band2 = %s, band3 = %s
              WHERE id = %s""",
    row=rehash_article,
)

_ARTICLE_BANDS = tuple(
    f"CREATE INDEX articles_band{i} ON articles (job_id, band{i}) WHERE latest" for i in range(4)
)

SQLITE: tuple[Migration, ...] = (
    Migration(
        "0001_jobs_frontier_hosts",
        (
            """CREATE TABLE jobs (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                last_seq INTEGER NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE urls (
                id INTEGER PRIMARY KEY,
                job_id INTEGER NOT NULL REFERENCES jobs (id),
                url TEXT NOT NULL,
                host TEXT NOT NULL,
                depth INTEGER NOT NULL,
                priority INTEGER NOT NULL,
                referrer TEXT,
                source TEXT NOT NULL,
                discovered_at INTEGER NOT NULL,
                next_due INTEGER,
                lease_worker TEXT,
                lease_until INTEGER,
                fetch_count INTEGER NOT NULL DEFAULT 0,
                last_fetched INTEGER,
                status INTEGER,
                outcome TEXT,
                error_type TEXT,
                error_message TEXT,
                etag TEXT,
                last_modified TEXT,
                fingerprint TEXT
            )""",
            # Dedup on disk: the frontier never has to fit in RAM.
            "CREATE UNIQUE INDEX urls_job_url ON urls (job_id, url)",
            # claim: per host, skip-scan the few priorities, then the earliest due.
            """CREATE INDEX urls_due ON urls (job_id, host, priority, next_due)
               WHERE next_due IS NOT NULL""",
            """CREATE INDEX urls_leased ON urls (job_id, lease_worker, lease_until)
               WHERE lease_worker IS NOT NULL""",
            "CREATE INDEX urls_errors ON urls (job_id, error_type) WHERE error_type IS NOT NULL",
            """CREATE TABLE hosts (
                job_id INTEGER NOT NULL REFERENCES jobs (id),
                host TEXT NOT NULL,
                delay INTEGER NOT NULL DEFAULT 0,
                next_slot INTEGER NOT NULL DEFAULT 0,
                wake INTEGER,
                ready_at INTEGER GENERATED ALWAYS AS (
                    CASE WHEN wake IS NULL THEN NULL
                         WHEN wake > next_slot THEN wake ELSE next_slot END
                ) VIRTUAL,
                PRIMARY KEY (job_id, host)
            ) WITHOUT ROWID""",
            "CREATE INDEX hosts_ready ON hosts (job_id, ready_at, host) WHERE ready_at IS NOT NULL",
        ),
    ),
    Migration(
        "0002_articles",
        (
            """CREATE TABLE articles (
                id INTEGER PRIMARY KEY,
                job_id INTEGER NOT NULL REFERENCES jobs (id),
                seq INTEGER NOT NULL,
                url_id INTEGER NOT NULL REFERENCES urls (id),
                record TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                simhash INTEGER NOT NULL,
                band0 INTEGER NOT NULL,
                band1 INTEGER NOT NULL,
                band2 INTEGER NOT NULL,
                band3 INTEGER NOT NULL,
                change TEXT NOT NULL,
                first_seen INTEGER NOT NULL,
                last_changed INTEGER NOT NULL,
                duplicate_of TEXT,
                claim_worker TEXT NOT NULL,
                claim_lease_until INTEGER NOT NULL,
                latest INTEGER NOT NULL
            )""",
            "CREATE UNIQUE INDEX articles_seq ON articles (job_id, seq)",
            "CREATE UNIQUE INDEX articles_latest ON articles (url_id) WHERE latest",
            "CREATE INDEX articles_claim ON articles (url_id, claim_lease_until)",
            *_ARTICLE_BANDS,
        ),
    ),
    Migration(
        "0003_runs",
        (
            """CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                job_id INTEGER NOT NULL REFERENCES jobs (id),
                worker TEXT NOT NULL,
                pid INTEGER NOT NULL,
                host TEXT NOT NULL,
                pid_start INTEGER,
                exclusive INTEGER NOT NULL,
                started_at INTEGER NOT NULL,
                heartbeat_at INTEGER NOT NULL,
                finished_at INTEGER,
                end_state TEXT
            )""",
            "CREATE INDEX runs_active ON runs (job_id, worker) WHERE finished_at IS NULL",
            "CREATE INDEX runs_started ON runs (job_id, started_at)",
        ),
    ),
    Migration(
        "0004_responses",
        (
            """CREATE TABLE responses (
                id INTEGER PRIMARY KEY,
                job_id INTEGER NOT NULL REFERENCES jobs (id),
                url TEXT NOT NULL,
                fetched_at INTEGER NOT NULL,
                status INTEGER NOT NULL,
                headers TEXT NOT NULL,
                body BLOB NOT NULL,
                digest TEXT NOT NULL
            )""",
            "CREATE INDEX responses_url ON responses (job_id, url, id)",
        ),
    ),
    Migration("0005_simhash_v2", (), _REHASH_SQLITE),
)

POSTGRES: tuple[Migration, ...] = (
    Migration(
        "0001_jobs_frontier_hosts",
        (
            """CREATE TABLE jobs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                name text NOT NULL UNIQUE,
                last_seq bigint NOT NULL DEFAULT 0
            )""",
            """CREATE TABLE urls (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id bigint NOT NULL REFERENCES jobs (id),
                url text NOT NULL,
                host text NOT NULL,
                depth integer NOT NULL,
                priority integer NOT NULL,
                referrer text,
                source text NOT NULL,
                discovered_at timestamptz NOT NULL,
                next_due timestamptz,
                lease_worker text,
                lease_until timestamptz,
                fetch_count integer NOT NULL DEFAULT 0,
                last_fetched timestamptz,
                status integer,
                outcome text,
                error_type text,
                error_message text,
                etag text,
                last_modified text,
                fingerprint text
            )""",
            "CREATE UNIQUE INDEX urls_job_url ON urls (job_id, url)",
            """CREATE INDEX urls_due ON urls (job_id, host, priority, next_due)
               WHERE next_due IS NOT NULL""",
            """CREATE INDEX urls_leased ON urls (job_id, lease_worker, lease_until)
               WHERE lease_worker IS NOT NULL""",
            "CREATE INDEX urls_errors ON urls (job_id, error_type) WHERE error_type IS NOT NULL",
            """CREATE TABLE hosts (
                job_id bigint NOT NULL REFERENCES jobs (id),
                host text NOT NULL,
                delay interval NOT NULL DEFAULT '0',
                next_slot timestamptz NOT NULL DEFAULT '1970-01-01 00:00:00+00',
                wake timestamptz,
                ready_at timestamptz GENERATED ALWAYS AS (
                    CASE WHEN wake IS NULL THEN NULL ELSE GREATEST(wake, next_slot) END
                ) STORED,
                PRIMARY KEY (job_id, host)
            )""",
            "CREATE INDEX hosts_ready ON hosts (job_id, ready_at, host) WHERE ready_at IS NOT NULL",
        ),
    ),
    Migration(
        "0002_articles",
        (
            """CREATE TABLE articles (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id bigint NOT NULL REFERENCES jobs (id),
                seq bigint NOT NULL,
                url_id bigint NOT NULL REFERENCES urls (id),
                record json NOT NULL,
                fingerprint text NOT NULL,
                simhash bigint NOT NULL,
                band0 integer NOT NULL,
                band1 integer NOT NULL,
                band2 integer NOT NULL,
                band3 integer NOT NULL,
                change text NOT NULL,
                first_seen timestamptz NOT NULL,
                last_changed timestamptz NOT NULL,
                duplicate_of text,
                claim_worker text NOT NULL,
                claim_lease_until timestamptz NOT NULL,
                latest boolean NOT NULL
            )""",
            "CREATE UNIQUE INDEX articles_seq ON articles (job_id, seq)",
            "CREATE UNIQUE INDEX articles_latest ON articles (url_id) WHERE latest",
            "CREATE INDEX articles_claim ON articles (url_id, claim_lease_until)",
            *_ARTICLE_BANDS,
        ),
    ),
    Migration(
        "0003_runs",
        (
            """CREATE TABLE runs (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id bigint NOT NULL REFERENCES jobs (id),
                worker text NOT NULL,
                pid integer NOT NULL,
                host text NOT NULL,
                pid_start bigint,
                exclusive boolean NOT NULL,
                started_at timestamptz NOT NULL,
                heartbeat_at timestamptz NOT NULL,
                finished_at timestamptz,
                end_state text
            )""",
            "CREATE INDEX runs_active ON runs (job_id, worker) WHERE finished_at IS NULL",
            "CREATE INDEX runs_started ON runs (job_id, started_at)",
        ),
    ),
    Migration(
        "0004_responses",
        (
            """CREATE TABLE responses (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                job_id bigint NOT NULL REFERENCES jobs (id),
                url text NOT NULL,
                fetched_at timestamptz NOT NULL,
                status integer NOT NULL,
                headers text NOT NULL,
                body bytea NOT NULL,
                digest text NOT NULL
            )""",
            "CREATE INDEX responses_url ON responses (job_id, url, id)",
        ),
    ),
    Migration("0005_simhash_v2", (), _REHASH_POSTGRES),
)
