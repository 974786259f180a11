"""``scraper status``: what a crawl store holds for a job, read without disturbing a crawl."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

from scraper.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    StoreTarget,
    add_store_flags,
    add_verbosity_flags,
    open_target,
)
from scraper.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from scraper.crawling.store.base import JobStats

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = """\
Show a crawl job's state from its store: URLs queued, due now and leased to
workers, pages fetched, articles stored, errors by type, and when the last
run started and finished (and, given the job file, when the next is due).
Reading never blocks a running crawl.  When the store holds several jobs and
none is named, lists them.

synopsis:
  scraper status JOB.toml [--json]
  scraper status --store PATH|postgresql://... [--job NAME] [--json]

examples:
  scraper status news.toml
  scraper status --store scraper-crawl.sqlite
  scraper status --store postgresql://crawler@db/crawl --job news --json

Exit codes: 0 shown, 2 no such store or job, or the store failed.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``scraper status``."""
    add_store_flags(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    add_verbosity_flags(parser)


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def _when(value: dt.datetime | None) -> str:
    return "never" if value is None else f"{value.astimezone(dt.UTC):%Y-%m-%d %H:%M:%S} UTC"


def _next_run(target: StoreTarget, stats: JobStats) -> dt.datetime | None:
    if target.job_config is None or target.job_config.name != target.job:
        return None  # without the job file, ``every`` is unknown
    from scraper.crawling.schedule import due_at

    now = dt.datetime.now(dt.UTC)
    return due_at(target.job_config, stats.last_run_started, now)


def _as_dict(
    name: str, label: str, stats: JobStats, next_run: dt.datetime | None
) -> dict[str, Any]:
    return {
        "job": name,
        "store": label,
        "queued": stats.queued,
        "due": stats.due,
        "leased": stats.leased,
        "fetched": stats.fetched,
        "articles": stats.articles,
        "errors_by_type": dict(sorted(stats.errors_by_type.items())),
        "last_run_started": _iso(stats.last_run_started),
        "last_run_finished": _iso(stats.last_run_finished),
        "next_run": _iso(next_run),
    }


#: Error types the store keeps that are not failures: shown on their own line.
_NOT_FAILURES = {
    "NoArticleError": "without an article",
    "RobotsDisallowed": "refused by robots.txt",
}


def _text(info: dict[str, Any], stats: JobStats, next_run: dt.datetime | None) -> str:
    by_type: dict[str, int] = info["errors_by_type"]
    errors = ", ".join(f"{k} {v}" for k, v in by_type.items() if k not in _NOT_FAILURES)
    others = [f"{label} {by_type[k]}" for k, label in _NOT_FAILURES.items() if k in by_type]
    finished = stats.last_run_finished
    if stats.last_run_started is not None and finished is None:
        ended = "still running (or killed: the next run takes over)"
    else:
        ended = f"finished {_when(finished)}"
    lines = [
        f"job {info['job']} (store {info['store']})",
        f"  queued {stats.queued}, due now {stats.due}, leased {stats.leased}",
        f"  fetched {stats.fetched}, articles {stats.articles}"
        + "".join(f", {other}" for other in others),
        f"  errors: {errors or 'none'}",
        f"  last run: started {_when(stats.last_run_started)}"
        + ("" if stats.last_run_started is None else f", {ended}"),
    ]
    if next_run is not None:
        lines.append(f"  next run due: {_when(next_run)}")
    return "\n".join(lines)


def _show(target: StoreTarget, as_json: bool) -> None:
    names = target.store.jobs()
    if target.job is not None:
        if target.job_config is None and target.job not in names:
            listed = ", ".join(names) or "none"
            raise ConfigError(f"no job {target.job!r} in the store {target.label} (jobs: {listed})")
        stats = target.store.stats(target.job)
        next_run = _next_run(target, stats)
        info = _as_dict(target.job, target.label, stats, next_run)
        print(json.dumps(info, ensure_ascii=False) if as_json else _text(info, stats, next_run))
        return
    if len(names) == 1:
        stats = target.store.stats(names[0])
        info = _as_dict(names[0], target.label, stats, None)
        print(json.dumps(info, ensure_ascii=False) if as_json else _text(info, stats, None))
        return
    stats_of = {name: target.store.stats(name) for name in names}
    every = [_as_dict(name, target.label, stats, None) for name, stats in stats_of.items()]
    if as_json:
        print(json.dumps({"store": target.label, "jobs": every}, ensure_ascii=False))
        return
    if not every:
        print(f"the store {target.label} holds no jobs yet")
        return
    print(f"the store {target.label} holds {len(every)} jobs (name one with --job):")
    width = max(len(info["job"]) for info in every)
    for info in every:
        started = _when(stats_of[info["job"]].last_run_started)
        print(
            f"  {info['job']:<{width}}  queued {info['queued']}, articles {info['articles']}, "
            f"last run {started}"
        )


def run(args: argparse.Namespace) -> int:
    """Print the job's state (or the store's jobs)."""
    try:
        target = open_target(args)
        try:
            _show(target, args.json)
        finally:
            target.store.close()
    except StoreError as exc:
        print(f"scraper status: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK
