"""``scraper schedule``: start each job when it is due, one run at a time, until stopped.

When is a job due?  ``every`` after its last run started, read from the
job's store (``JobStats.last_run_started``), or at once if it never ran.
The store, not this process, remembers the last run: a scheduler restarted
after a crash or a reboot, or a cron job running ``scraper crawl`` in
between, moves the next start accordingly, and nothing is run twice.

A run that fails before it starts (another process holds the job on its
SQLite store, the database is down) is tried again ``RETRY_FAILED`` later
(or ``every``, if shorter); that delay lives in this process only.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scraper.crawling.engine import Crawler, Record
from scraper.crawling.jobs import Job
from scraper.crawling.runs import job_crawler
from scraper.crawling.store import open_store
from scraper.crawling.summary import CrawlSummary
from scraper.errors import ScraperError

__all__ = ["RETRY_FAILED", "RunOutcome", "Scheduler", "due_at"]

logger = logging.getLogger(__name__)

#: How long after a run that could not start (store locked or unreachable) it is tried again.
RETRY_FAILED = dt.timedelta(minutes=5)
#: The longest single sleep: the store is read again at least this often, so
#: runs started by others (cron, another scheduler) move the next start.
_MAX_SLEEP = 300.0


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def due_at(job: Job, last_started: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When ``job`` should start next: ``every`` after its last start, or ``now`` if none.

    >>> from scraper.crawling.jobs import Job
    >>> t = dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC)
    >>> due_at(Job("j", every=3600), t, t).hour, due_at(Job("j"), None, t) == t
    (13, True)
    """
    if last_started is None:
        return now
    return last_started + dt.timedelta(seconds=job.every)


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """One run the scheduler started: its summary, or the error that stopped it."""

    job: Job
    summary: CrawlSummary | None
    error: ScraperError | None


class Scheduler:
    """Runs jobs when due (see the module docstring).  ``stop()`` is signal- and thread-safe.

    ``on_record(job, record)`` gets the records of jobs without an ``output``
    file; ``on_run(outcome)`` is called after each run.
    """

    def __init__(
        self,
        jobs: Sequence[Job],
        *,
        worker_id: str | None = None,
        on_record: Callable[[Job, Record], None] | None = None,
        on_run: Callable[[RunOutcome], None] | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self.jobs = tuple(jobs)
        self._worker_id = worker_id
        self._on_record = on_record
        self._on_run = on_run
        self._clock = clock
        self._not_before: dict[int, dt.datetime] = {}
        self._current: Crawler | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self.stopped = False

    def stop(self) -> None:
        """Stop: a run in progress stops cleanly (releasing its leases), then ``run`` returns."""
        self.stopped = True
        if self._current is not None:
            self._current.stop()
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def _last_started(self, job: Job) -> dt.datetime | None:
        store = open_store(job.store)
        try:
            return store.stats(job.name).last_run_started
        finally:
            store.close()

    def due_times(self, now: dt.datetime) -> list[tuple[dt.datetime, int]]:
        """(when due, index) of every job, earliest first; a failed start pushes a job back."""
        times = []
        for index, job in enumerate(self.jobs):
            try:
                when = due_at(job, self._last_started(job), now)
            except ScraperError as exc:
                # Due now: the run then fails with this error, is reported
                # and pushed back like any run that cannot start.
                logger.warning("job %s: cannot read its store: %s", job.name, exc)
                when = now
            times.append((max(when, self._not_before.get(index, when)), index))
        return sorted(times)

    async def _run_one(self, index: int) -> RunOutcome:
        job = self.jobs[index]
        on_record = None
        if job.output is None and self._on_record is not None:
            emit = self._on_record

            def on_record(record: Record) -> None:
                emit(job, record)

        logger.info("job %s: starting a run", job.name)
        try:
            with job_crawler(job, worker_id=self._worker_id, on_record=on_record) as crawler:
                self._current = crawler
                if self.stopped:  # a signal between reading due times and here
                    crawler.stop()
                try:
                    summary = await crawler.run()
                finally:
                    self._current = None
        except ScraperError as exc:
            logger.warning("job %s: the run failed: %s", job.name, exc)
            retry = min(RETRY_FAILED, dt.timedelta(seconds=job.every))
            self._not_before[index] = self._clock() + retry
            return RunOutcome(job, None, exc)
        self._not_before.pop(index, None)
        return RunOutcome(job, summary, None)

    async def run(self, *, once: bool = False) -> None:
        """Start jobs as they come due until ``stop()``; with ``once``, each due job once.

        ``once`` looks at due times once, at the start, and runs the due jobs
        in order of due time; jobs not due then are left for later.
        """
        if not self.jobs:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        pending = None
        if once:
            now = self._clock()
            pending = [index for when, index in self.due_times(now) if when <= now]
        while not self.stopped:
            if pending is not None:
                if not pending:
                    return
                index = pending.pop(0)
            else:
                now = self._clock()
                when, index = self.due_times(now)[0]
                if when > now:
                    pause = min((when - now).total_seconds(), _MAX_SLEEP)
                    logger.info("next: job %s at %s", self.jobs[index].name, when.isoformat())
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), timeout=pause)
                    continue
            outcome = await self._run_one(index)
            if self._on_run is not None:
                self._on_run(outcome)
