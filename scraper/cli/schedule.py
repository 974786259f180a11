"""``scraper schedule``: run crawl jobs when they are due, one run at a time, until stopped."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scraper.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    add_verbosity_flags,
)
from scraper.cli.crawl import print_record, summary_exit_code

if TYPE_CHECKING:
    from scraper.crawling.engine import Record
    from scraper.crawling.jobs import Job
    from scraper.crawling.schedule import RunOutcome

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = """\
Run crawl jobs when they are due, one run at a time, for as long as it runs.
A job is due `every` (its job-file key) after its last run started, as its
store records it, so a restarted scheduler, or a `scraper crawl JOB.toml`
from cron in between, moves the next start; a job that never ran is due at
once.  Each run is what `scraper crawl JOB.toml` does (same store, same
--out file, records to stdout when the job names no output) and its summary
goes to stderr.  SIGTERM or Ctrl-C stops it cleanly, between runs or during
one (the run releases its URLs and resumes next time).

synopsis:
  scraper schedule JOB.toml... [--once] [--worker ID]

examples:
  scraper schedule news.toml sport.toml
  scraper schedule jobs/*.toml --once     # run every due job once, then exit (cron-friendly)

Exit codes: 0 stopped by SIGTERM/Ctrl-C, or with --once every run succeeded;
with --once the highest code of its runs (1 some pages failed, 2 a run could
not start: store locked or unreachable, 3 a run fetched pages and all
failed); 2 a bad job file; 130 --once interrupted.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``scraper schedule``."""
    parser.add_argument("job_files", nargs="+", metavar="JOB.toml", help="job files to run")
    parser.add_argument(
        "--once", action="store_true", help="run every job that is due now once, then exit"
    )
    parser.add_argument("--worker", metavar="ID", help="worker id (default host:pid)")
    add_verbosity_flags(parser)


def _print_record(job: Job, record: Record) -> None:
    print_record(record)


class _Codes:
    """The exit code of each run, as ``scraper crawl`` would give it."""

    def __init__(self) -> None:
        self.worst = EXIT_OK

    def __call__(self, outcome: RunOutcome) -> None:
        name = outcome.job.name
        if outcome.summary is None:
            print(f"scraper schedule: job {name}: error: {outcome.error}", file=sys.stderr)
            code = EXIT_USAGE
        else:
            report = outcome.summary.report().replace("\n", "\n  ")
            print(f"job {name}:\n  {report}", file=sys.stderr)
            code = summary_exit_code(outcome.summary)
        if code != EXIT_INTERRUPTED:
            self.worst = max(self.worst, code)


async def _schedule(jobs: list[Job], worker: str | None, once: bool) -> tuple[int, bool]:
    from scraper.crawling.schedule import Scheduler

    codes = _Codes()
    scheduler = Scheduler(jobs, worker_id=worker, on_record=_print_record, on_run=codes)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, scheduler.stop)
    try:
        await scheduler.run(once=once)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return codes.worst, scheduler.stopped


def run(args: argparse.Namespace) -> int:
    """Load every job file first (a bad one stops before anything runs), then schedule."""
    from scraper.crawling.jobs import load_job

    jobs = [load_job(Path(path)) for path in args.job_files]
    worst, stopped = asyncio.run(_schedule(jobs, args.worker, args.once))
    if stopped:
        print("scraper schedule: stopped", file=sys.stderr)
        return EXIT_INTERRUPTED if args.once else EXIT_OK
    return worst
