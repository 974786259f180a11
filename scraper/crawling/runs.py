"""One run of one job, as the CLI, the scheduler and the Python API start it.

``job_crawler`` opens the job's store and its ``--out`` file writer around a
``Crawler``; ``iter_records`` is the synchronous door to the async engine
behind ``scraper.crawl``: the crawl runs on its own thread and event loop,
and its records come back through a bounded queue.

Why a bounded queue: a consumer slower than the crawl must slow the crawl
down, not pile up articles in memory.  When the queue is full, the engine's
``on_record`` waits, and with it the event loop; pages in flight may then
pass their fetch deadline and fail, which is counted and retried by the next
run (nothing is lost: everything is in the store first).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scraper.crawling.engine import Crawler, Record
from scraper.crawling.jobs import Job, load_job
from scraper.crawling.output import JsonlOutput
from scraper.crawling.store import open_store
from scraper.crawling.summary import CrawlSummary
from scraper.errors import ConfigError
from scraper.extraction.worker import ExtractionPool

__all__ = ["iter_records", "job_crawler", "resolve_job"]

logger = logging.getLogger(__name__)

#: Records waiting for a slow consumer of ``iter_records`` before the crawl waits.
QUEUE_SIZE = 256
#: How often a waiting ``on_record`` checks whether the consumer went away.
_POLL = 0.1


def resolve_job(job: Job | str | Path, *, max_pages: int | None = None) -> Job:
    """A ``Job`` from a job or the path of a job file, with ``max_pages`` applied."""
    if isinstance(job, str) and job.startswith(("http://", "https://")):
        raise ConfigError(
            f"{job!r} is a URL, not a job file: pass "
            f"Job(name=..., seeds=({job!r},)) from scraper.crawling.jobs"
        )
    resolved = job if isinstance(job, Job) else load_job(job)
    if max_pages is not None:
        if max_pages < 1:
            raise ConfigError(f"max_pages must be at least 1, not {max_pages}")
        resolved = dataclasses.replace(resolved, max_pages=max_pages)
    return resolved


@contextmanager
def job_crawler(
    job: Job,
    *,
    worker_id: str | None = None,
    on_record: Callable[[Record], None] | None = None,
    pool: ExtractionPool | None = None,
) -> Iterator[Crawler]:
    """A ``Crawler`` on the job's store, writing ``job.output`` when the job names one.

    Opening is lazy (no I/O until ``run``); the store is closed on exit.
    """
    store = open_store(job.store)
    try:
        output = None if job.output is None else JsonlOutput(job.output, store, job.name)
        yield Crawler(
            job, store, worker_id=worker_id, output=output, on_record=on_record, pool=pool
        )
    finally:
        store.close()


@dataclass(frozen=True, slots=True)
class _Done:
    """The crawl thread's last word: its summary, or what it raised."""

    summary: CrawlSummary | None
    error: BaseException | None


def iter_records(job: Job, *, pool: ExtractionPool | None = None) -> Iterator[Record]:
    """Run one crawl of ``job`` and yield its output records as they are stored.

    Nothing starts before the first ``next()``.  Closing the generator early
    (``break``, ``close()``, an exception in the consumer) stops the crawl:
    pages in flight are released to the store, the run ends, and the call
    returns once the crawl thread has finished.  Errors of the run
    (``StoreLocked``, ``StoreError``...) are raised here, in the consumer.
    """
    items: queue.Queue[Record | _Done] = queue.Queue(QUEUE_SIZE)
    gone = threading.Event()  # the consumer closed the generator

    def hand_over(item: Record | _Done) -> None:
        while not gone.is_set():
            try:
                items.put(item, timeout=_POLL)
            except queue.Full:
                continue
            return

    with job_crawler(job, on_record=hand_over, pool=pool) as crawler:

        def work() -> None:
            try:
                summary = asyncio.run(crawler.run())
            except BaseException as exc:  # handed to the consumer, raised there
                hand_over(_Done(None, exc))
            else:
                hand_over(_Done(summary, None))

        thread = threading.Thread(target=work, name=f"scraper-crawl-{job.name}", daemon=True)
        thread.start()
        try:
            while True:
                item = items.get()
                if isinstance(item, _Done):
                    if item.error is not None:
                        raise item.error
                    assert item.summary is not None
                    logger.info("job %s: %s", job.name, item.summary.report())
                    return
                yield item
        finally:
            gone.set()
            crawler.stop()
            thread.join()
