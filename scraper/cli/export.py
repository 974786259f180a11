"""``scraper export``: a job's stored articles as JSON Lines or CSV, its raw responses as WARC."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

from scraper.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    StoreTarget,
    add_store_flags,
    add_verbosity_flags,
    open_target,
)
from scraper.errors import ConfigError, InputError, StoreError

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = """\
Write every article a crawl job stored (the latest version of each URL, in
store order) as JSON Lines (each line the crawl output record: the extract
record plus change, first_seen, last_changed, duplicate_of and seq) or CSV
(one row per article: seq, url, canonical_url, change, first_seen,
last_changed, duplicate_of, title, author, date, language, sitename,
description, tags, categories, word_count, text).

--format warc writes the raw responses the job kept (one gzipped WARC
response record per distinct version of each page) when it was crawled with
archive = true in its job file, or scraper crawl --archive; a job that kept
none exits with code 2.

synopsis:
  scraper export --store PATH|postgresql://... [--job NAME] [--format jsonl|csv|warc] [--out FILE]
  scraper export JOB.toml [--format jsonl|csv|warc] [--out FILE]

examples:
  scraper export --store scraper-crawl.sqlite --format csv --out articles.csv
  scraper export news.toml --format jsonl | jq .title
  scraper export --store postgresql://crawler@db/crawl --job news > news.jsonl
  scraper export news.toml --format warc --out news.warc.gz

--out is replaced as a whole, only once the export is complete; without it
the export goes to stdout.  Exit codes: 0 written, 2 bad format, no such
store or job, or the store failed.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``scraper export``."""
    add_store_flags(parser)
    parser.add_argument(
        "-f",
        "--format",
        default="jsonl",
        choices=("jsonl", "csv", "warc"),
        help="jsonl (default), csv, or warc (the raw responses of an archive = true job)",
    )
    parser.add_argument("-o", "--out", metavar="FILE", help="write here instead of stdout")
    add_verbosity_flags(parser)


def _job(target: StoreTarget) -> str:
    names = target.store.jobs()
    if target.job is not None:
        if target.job not in names:
            listed = ", ".join(names) or "none"
            raise ConfigError(f"no job {target.job!r} in the store {target.label} (jobs: {listed})")
        return target.job
    if len(names) == 1:
        return names[0]
    if not names:
        raise ConfigError(f"the store {target.label} holds no jobs yet")
    raise ConfigError(
        f"the store {target.label} holds {len(names)} jobs ({', '.join(names)}): "
        "name one with --job"
    )


def _export_to_file(target: StoreTarget, job: str, fmt: str, path: Path) -> int:
    """Write to a temporary file beside ``path``, then rename: never a half export."""
    from scraper.crawling.export import export_articles, export_warc

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        out = tmp.open("wb") if fmt == "warc" else tmp.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise InputError(f"{path}: cannot write the export: {exc.strerror}") from exc
    try:
        with out:
            if isinstance(out, io.TextIOWrapper):
                count = export_articles(target.store, job, fmt, out)
            else:
                count = export_warc(target.store, job, out)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"{path}: cannot write the export: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def run(args: argparse.Namespace) -> int:
    """Export the job's articles."""
    from scraper.crawling.export import export_articles, export_warc

    try:
        target = open_target(args)
        try:
            job = _job(target)
            if args.out is None and args.format == "warc":
                count = export_warc(target.store, job, sys.stdout.buffer)
                sys.stdout.buffer.flush()
            elif args.out is None:
                if isinstance(sys.stdout, io.TextIOWrapper):
                    sys.stdout.reconfigure(newline="")  # csv writes its own line ends
                count = export_articles(target.store, job, args.format, sys.stdout)
                sys.stdout.flush()
            else:
                count = _export_to_file(target, job, args.format, Path(args.out))
        finally:
            target.store.close()
    except (StoreError, InputError) as exc:
        print(f"scraper export: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    where = "stdout" if args.out is None else args.out
    what = "responses" if args.format == "warc" else "articles"
    print(f"exported {count} {what} of job {job} to {where}", file=sys.stderr)
    return EXIT_OK
