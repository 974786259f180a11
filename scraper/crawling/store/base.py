"""The crawl store: one interface, an embedded SQLite file or a shared PostgreSQL.

The store holds everything a crawl must not lose: the frontier (queued URLs
with their next due time), leases (which worker holds which URL until when),
per-host politeness state shared by all workers, what each URL looked like
last time (validators and fingerprints, for incremental recrawls), the
articles, and an output sequence that makes ``--out`` exactly-once.

Every method is one transaction: when it returns, its effect survives a
``kill -9``.  Workers never hold state the store does not have, so a killed
worker loses nothing: its leases expire and its URLs come back.

Design notes
------------
* URLs arrive normalised (``scraper.crawling.urls``); the store deduplicates
  on the exact string, by a unique index, never in RAM, so a frontier of
  millions costs disk, not memory.
* ``claim`` hands out due URLs whose host may be contacted now, and
  reserves the host's next slot in the same transaction: the per-host delay
  holds across every worker sharing the store.  PostgreSQL claims with
  ``FOR UPDATE SKIP LOCKED``; SQLite has one writer (``BEGIN IMMEDIATE``).
* ``record_article`` assigns the next output sequence number in the same
  transaction that stores the article, so "stored" and "numbered" cannot
  diverge.  The output writer appends records carrying their ``seq`` and, on
  restart, resumes after the highest ``seq`` found at the end of the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

__all__ = [
    "ArticleChange",
    "Claim",
    "CrawlStore",
    "FetchResult",
    "JobStats",
    "NewURL",
    "StoredArticle",
]

Change = Literal["new", "changed", "unchanged"]


@dataclass(frozen=True, slots=True)
class NewURL:
    """A URL to add to the frontier."""

    #: The normalised absolute URL (the dedup key).
    url: str
    #: Link depth from the seeds (seeds are 0).
    depth: int = 0
    #: Higher runs first among due URLs (seeds, sitemaps and feeds rank high).
    priority: int = 0
    #: The URL of the page it was found on, if any.
    referrer: str | None = None
    #: Where it came from: "seed", "link", "sitemap", "feed", "redirect", "canonical".
    source: str = "link"


@dataclass(frozen=True, slots=True)
class Claim:
    """A URL leased to one worker until ``lease_until``."""

    url: str
    host: str
    depth: int
    #: How many times this URL was fetched before (0 for a first fetch).
    fetch_count: int
    #: Validators from the last fetch, for a conditional GET.
    etag: str | None
    last_modified: str | None
    #: The content fingerprint from the last fetch (unchanged detection).
    fingerprint: str | None
    lease_until: dt.datetime
    worker: str
    #: The job the URL belongs to: ``complete``, ``release`` and
    #: ``record_article`` take only the claim, and one store may hold the
    #: same URL in several jobs.
    job: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    """What happened to a claimed URL; ``complete`` stores it and schedules what comes next."""

    #: HTTP status (0 when no response arrived).
    status: int
    #: "ok", "not_modified", "error", "robots", "noindex", "duplicate", "retry_later".
    outcome: str
    #: Error class name for errors (e.g. "DeadlineExceeded").
    error_type: str | None = None
    error_message: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    #: Fingerprint of the extracted text (unchanged detection).
    fingerprint: str | None = None
    #: When to fetch the URL again (recrawl interval, or Retry-After); None = never.
    next_due: dt.datetime | None = None
    #: Retries made while fetching, by reason.
    retries: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArticleChange:
    """What ``record_article`` decided, and the sequence number it assigned."""

    change: Change
    #: Output sequence number; None when the article is unchanged (nothing to write).
    seq: int | None
    first_seen: dt.datetime
    last_changed: dt.datetime
    #: The URL of an article this one nearly duplicates, or None.
    duplicate_of: str | None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article record in the store, in output order, with what the store decided for it.

    Why the crawl columns come back with the record: an output line written
    after a crash (the catch-up drain) must be identical to the one written
    live, so everything the line holds is read from the store, never predicted.
    """

    seq: int
    #: The frontier URL the article was stored under.
    url: str
    #: The extract record (``Article.to_dict()``), as stored.
    record: dict[str, Any]
    #: "new" or "changed" (unchanged articles get no ``seq``, so are never stored).
    change: Change
    first_seen: dt.datetime
    last_changed: dt.datetime
    #: The URL of an article this one nearly duplicates, or None.
    duplicate_of: str | None


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A raw response kept for ``scraper export --format warc`` (jobs with ``archive``)."""

    #: The URL of the response (the final one, after redirects).
    url: str
    fetched_at: dt.datetime
    status: int
    #: Response headers as received, lower-case names, in order.
    headers: list[tuple[str, str]]
    #: The body with its content-encoding undone.
    body: bytes


@dataclass(frozen=True, slots=True)
class JobStats:
    """Counts for ``scraper status`` and the final summary."""

    queued: int
    due: int
    leased: int
    fetched: int
    articles: int
    errors_by_type: dict[str, int]
    last_run_started: dt.datetime | None
    last_run_finished: dt.datetime | None


class CrawlStore(Protocol):
    """The store interface; ``SQLiteStore`` and ``PostgresStore`` implement it.

    All times are timezone-aware UTC.  ``job`` names a crawl job; one store can
    hold several jobs.  Methods raise ``scraper.errors.StoreError`` (or its
    subclass ``StoreLocked``) and nothing else.
    """

    def begin_run(self, job: str, worker: str, *, exclusive: bool) -> None:
        """Register ``worker`` as running ``job``.

        ``exclusive=True`` (the SQLite default): refuse with ``StoreLocked``
        while another live process runs the job.  ``exclusive=False`` (what
        PostgreSQL workers pass): join as one more worker, unless a live run
        holds the job exclusively.  Both backends honour both values.
        Called again by the same worker in the same process (a run whose
        ``end_run`` failed with the store, or a replay), it keeps the run
        and hands back the leases the worker still holds: a worker starting
        a run has nothing in flight.
        """
        ...

    def end_run(self, job: str, worker: str) -> None:
        """Release every lease ``worker`` holds and mark its run finished."""
        ...

    def add_urls(self, job: str, urls: Iterable[NewURL], *, now: dt.datetime) -> int:
        """Queue the URLs not seen before (due now); return how many were new."""
        ...

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
        """Lease up to ``limit`` due URLs whose host may be contacted now.

        Expired leases count as free.  At most one URL per host is handed out
        per ``host_delay`` across all workers; each claimed host's next slot is
        moved ``host_delay`` later in the same transaction.  Hosts in
        ``skip_hosts`` (the caller's hosts whose connections are all busy) are
        passed over and keep their slot, and no host gets more than
        ``per_host`` URLs in one call (None: no cap), so that a caller never
        holds URLs it cannot send yet.
        """
        ...

    def set_host_delay(self, job: str, host: str, delay: dt.timedelta) -> None:
        """Raise one host's delay (robots.txt Crawl-delay); never lowers it."""
        ...

    def defer_host(self, job: str, host: str, until: dt.datetime) -> None:
        """Contact ``host`` no earlier than ``until`` (Retry-After)."""
        ...

    def complete(self, claim: Claim, result: FetchResult, *, now: dt.datetime) -> None:
        """Store the fetch result, release the lease, schedule ``next_due``."""
        ...

    def release(self, claims: Sequence[Claim]) -> None:
        """Give leases back unfinished (Ctrl-C, SIGTERM): due again at once."""
        ...

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
        """Store the article and complete the claim in ONE transaction.

        Decides new / changed / unchanged against the URL's last fingerprint,
        looks for a near-duplicate among the job's articles by ``simhash``
        (Hamming distance ≤ 3), and assigns an output ``seq`` unless unchanged.
        """
        ...

    def articles_after(self, job: str, seq: int, *, limit: int = 1000) -> list[StoredArticle]:
        """Articles with an output sequence number above ``seq``, in order."""
        ...

    def stats(self, job: str) -> JobStats:
        """Counts for status displays."""
        ...

    def iter_articles(self, job: str) -> Iterator[StoredArticle]:
        """Every stored article (latest version per URL), for ``scraper export``."""
        ...

    def add_response(self, job: str, response: StoredResponse) -> bool:
        """Keep a raw response; False (nothing kept) when it repeats the last body kept
        for its URL, so an unchanged page is archived once, not once per recrawl."""
        ...

    def iter_responses(self, job: str) -> Iterator[StoredResponse]:
        """The raw responses kept for ``job``, in the order they were kept."""
        ...

    def jobs(self) -> list[str]:
        """The names of the jobs in the store, sorted (``scraper status`` lists them)."""
        ...

    def close(self) -> None:
        """Close connections; idempotent."""
        ...
