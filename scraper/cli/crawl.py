"""``scraper crawl``: run a crawl job (a TOML job file, or seed URLs) until nothing is due."""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from pathlib import Path

from scraper.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_NOTHING,
    EXIT_USAGE,
    add_fetch_flags,
    add_verbosity_flags,
    config_from_flags,
    exit_code,
)
from scraper.crawling.jobs import DEFAULT_STORE, Job, load_job, quick_job
from scraper.crawling.summary import CrawlSummary
from scraper.errors import ConfigError, InputError, StoreError

__all__ = [
    "DESCRIPTION",
    "add_arguments",
    "job_from_args",
    "print_record",
    "run",
    "summary_exit_code",
]

DESCRIPTION = f"""\
Crawl a job: fetch due URLs politely, extract their articles, and append the
new and changed ones to --out (JSON Lines, exactly once: kill it at any
moment and rerun the same command; nothing is lost or written twice).
Without --out, records go to stdout.

synopsis:
  scraper crawl JOB.toml [--out FILE.jsonl]
  scraper crawl URL... [--max-pages N] [--out FILE.jsonl] [--store PATH|postgresql://...]
                       [--archive]

The store defaults to the job file's name with .sqlite, or ./{DEFAULT_STORE}
for URLs, so rerunning the same command resumes where the last run ended.
A second run on the same SQLite store is refused; on a postgresql:// store
the same command on several machines adds workers to one crawl.

examples:
  scraper crawl news.toml
  scraper crawl https://example.org/ --max-pages 100 --out articles.jsonl
  scraper crawl https://example.org/ --store postgresql://crawler@db/crawl

A summary goes to stderr at the end.  Exit codes: 0 no page failed, 1 some
pages failed, 2 usage error or the job is already running on this SQLite
store, 3 pages were fetched and all failed, 130 interrupted.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``scraper crawl``."""
    parser.add_argument("targets", nargs="+", metavar="JOB.toml|URL", help="a job file or seeds")
    parser.add_argument("--out", metavar="FILE.jsonl", help="append records here (exactly once)")
    parser.add_argument("--store", metavar="PATH|URL", help="SQLite path or postgresql:// URL")
    parser.add_argument("--max-pages", type=int, metavar="N", help="pages fetched in this run")
    parser.add_argument("--worker", metavar="ID", help="worker id (default host:pid)")
    parser.add_argument(
        "--archive",
        action="store_true",
        default=None,
        help="keep the raw responses in the store (for scraper export --format warc)",
    )
    add_fetch_flags(parser)
    add_verbosity_flags(parser)


def job_from_args(args: argparse.Namespace) -> Job:
    """The job a command line names: a job file (flags override it) or seed URLs."""
    import dataclasses

    targets: list[str] = args.targets
    urls = [t for t in targets if t.startswith(("http://", "https://"))]
    if urls and len(urls) != len(targets):
        raise ConfigError("give either one job file or seed URLs, not both")
    if urls:
        return quick_job(
            urls,
            store=args.store,
            output=args.out,
            max_pages=args.max_pages,
            config=config_from_flags(args),
            archive=bool(args.archive),
        )
    if len(targets) != 1:
        raise ConfigError("give one job file (run several with `scraper schedule`)")
    job = load_job(Path(targets[0]))
    changes: dict[str, object] = {"config": config_from_flags(args, job.config)}
    for attr, value in (
        ("store", args.store),
        ("output", args.out),
        ("max_pages", args.max_pages),
        ("archive", args.archive),
    ):
        if value is not None:
            changes[attr] = value
    return dataclasses.replace(job, **changes)  # type: ignore[arg-type]


def print_record(record: dict[str, object]) -> None:
    """One record as a JSON line on stdout, flushed (a reader sees it at once)."""
    sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    sys.stdout.flush()


async def _crawl(job: Job, worker: str | None, progress: bool) -> CrawlSummary:
    from scraper.crawling.runs import job_crawler

    on_record = print_record if job.output is None else None
    with job_crawler(job, worker_id=worker, on_record=on_record) as crawler:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, crawler.stop)
        ticker = None
        if progress:

            async def tick() -> None:
                while True:
                    await asyncio.sleep(1.0)
                    sys.stderr.write("\r" + crawler.summary.progress() + "\033[K")
                    sys.stderr.flush()

            ticker = asyncio.create_task(tick())
        try:
            return await crawler.run()
        finally:
            if ticker is not None:
                ticker.cancel()
                sys.stderr.write("\r\033[K")
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def summary_exit_code(summary: CrawlSummary) -> int:
    """130 interrupted, 3 pages fetched and all failed, 1 some failed, else 0."""
    if summary.interrupted:
        return EXIT_INTERRUPTED
    if summary.fetched and not summary.succeeded and summary.failed:
        return EXIT_NOTHING
    return exit_code(summary.succeeded, summary.failed)


def run(args: argparse.Namespace) -> int:
    """Run one crawl job; the summary goes to stderr."""
    if args.max_pages is not None and args.max_pages < 1:
        raise ConfigError("--max-pages must be at least 1")
    job = job_from_args(args)
    started = time.monotonic()
    try:
        summary = asyncio.run(_crawl(job, args.worker, sys.stderr.isatty()))
    except (StoreError, InputError) as exc:
        print(f"scraper crawl: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(summary.report(), file=sys.stderr)
    print(f"({time.monotonic() - started:.1f} s)", file=sys.stderr)
    return summary_exit_code(summary)
