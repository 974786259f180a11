"""What every subcommand shares: exit codes, logging and the common flags."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scraper.config import Config, FetchConfig
from scraper.errors import ConfigError
from scraper.fetching.addresses import parse_networks

if TYPE_CHECKING:
    from scraper.crawling.jobs import Job
    from scraper.crawling.store.base import CrawlStore

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_INTERRUPTED",
    "EXIT_NOTHING",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "StoreTarget",
    "add_fetch_flags",
    "add_store_flags",
    "add_verbosity_flags",
    "config_from_flags",
    "configure_logging",
    "exit_code",
    "open_target",
    "parse_size",
]

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_NOTHING = 3
EXIT_INTERRUPTED = 130
#: stdout was closed by the reader (``| head``): what a shell reports for SIGPIPE.
EXIT_BROKEN_PIPE = 141

_SIZE_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024**2, "mb": 1024**2, "g": 1024**3}


def exit_code(succeeded: int, failed: int) -> int:
    """0 when all succeeded, 1 when some failed, 3 when nothing succeeded."""
    if failed == 0:
        return EXIT_OK
    return EXIT_PARTIAL if succeeded else EXIT_NOTHING


def parse_size(text: str) -> int:
    """``10M``, ``512k``, ``1048576`` -> bytes.

    >>> parse_size("10M"), parse_size("512k"), parse_size("2048")
    (10485760, 524288, 2048)
    """
    raw = text.strip().lower()
    digits = raw.rstrip("bkmg")
    unit = raw[len(digits) :]
    try:
        value = float(digits)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 10M or 512k)") from None
    if unit not in _SIZE_UNITS or value <= 0:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 10M or 512k)")
    return int(value * _SIZE_UNITS[unit])


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


def _network(text: str) -> str:
    try:
        (network,) = parse_networks([text])
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return str(network)


def add_verbosity_flags(parser: argparse.ArgumentParser) -> None:
    """``-v``/``-q``, counted."""
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument("-q", "--quiet", action="count", default=0, help="less log output")


def add_fetch_flags(parser: argparse.ArgumentParser) -> None:
    """The flags that override FetchConfig defaults (see the README's table)."""
    d = FetchConfig()
    group = parser.add_argument_group("fetching")
    group.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help=f"total deadline per fetch (default {d.timeout:g})",
    )
    group.add_argument(
        "--max-size",
        type=parse_size,
        metavar="SIZE",
        help=f"cap on the decoded body, e.g. 5M (default {d.max_size // 2**20}M)",
    )
    group.add_argument("--user-agent", metavar="UA", help="User-Agent header and robots.txt agent")
    group.add_argument(
        "--ignore-robots", action="store_true", help="do not obey robots.txt (you take the blame)"
    )
    group.add_argument(
        "--delay",
        type=_non_negative_float,
        metavar="SECONDS",
        help=f"pause between two requests to the same host (default {d.per_host_delay:g})",
    )
    group.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="extra request header (repeatable)",
    )
    group.add_argument(
        "--cookie", action="append", default=[], metavar="NAME=VALUE", help="cookie (repeatable)"
    )
    group.add_argument(
        "--allow-network",
        action="append",
        default=[],
        type=_network,
        metavar="CIDR",
        help="let fetches reach this network although it is loopback, private or "
        "link-local (refused by default), e.g. 10.0.0.0/8 (repeatable)",
    )
    group.add_argument(
        "--transport",
        choices=("aiohttp", "httpx"),
        help="HTTP client under the fetcher: aiohttp (default; HTTP/1.1, less CPU "
        "per page) or httpx (offers HTTP/2); both apply the address policy",
    )


def _pairs(items: list[str], sep: str, what: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in items:
        name, found, value = item.partition(sep)
        if not found or not name.strip():
            raise ConfigError(f"bad {what} {item!r}: expected NAME{sep}VALUE")
        out.append((name.strip(), value.strip()))
    return tuple(out)


def config_from_flags(args: argparse.Namespace, base: Config | None = None) -> Config:
    """Build the Config from parsed flags: flags given override the defaults."""
    cfg = base or Config()
    fetch = cfg.fetch
    changes: dict[str, object] = {}
    if getattr(args, "timeout", None) is not None:
        changes["timeout"] = args.timeout
        changes["connect_timeout"] = min(fetch.connect_timeout, args.timeout)
        changes["read_timeout"] = min(fetch.read_timeout, args.timeout)
    if getattr(args, "max_size", None) is not None:
        changes["max_size"] = args.max_size
    if getattr(args, "user_agent", None):
        changes["user_agent"] = args.user_agent
    if getattr(args, "delay", None) is not None:
        changes["per_host_delay"] = args.delay
    if getattr(args, "ignore_robots", False):
        changes["obey_robots"] = False
    if getattr(args, "header", None):
        changes["headers"] = _pairs(args.header, ":", "header")
    if getattr(args, "cookie", None):
        changes["cookies"] = _pairs(args.cookie, "=", "cookie")
    if getattr(args, "allow_network", None):
        changes["allow_networks"] = tuple(args.allow_network)
    if getattr(args, "transport", None):
        changes["transport"] = args.transport
        changes["http2"] = args.transport == "httpx"
    return dataclasses.replace(cfg, fetch=dataclasses.replace(fetch, **changes))  # type: ignore[arg-type]


def configure_logging(level: int) -> None:
    """-q: errors only; default: warnings; -v: info; -vv: debug.  Logs go to stderr."""
    levels = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}
    logging.basicConfig(
        level=levels.get(max(-1, min(level, 2)), logging.DEBUG),
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if level < 2:
        # Library chatter (trafilatura's "discarding data") is ours to report, not theirs.
        for noisy in ("trafilatura", "htmldate", "httpx", "httpcore", "charset_normalizer"):
            logging.getLogger(noisy).setLevel(max(logging.ERROR, levels.get(level, 0)))


# -- commands that read a crawl store (status, export) -----------------------------


def add_store_flags(parser: argparse.ArgumentParser) -> None:
    """``[JOB.toml] [--store S] [--job NAME]``: which store, and which job in it."""
    parser.add_argument(
        "job_file", nargs="?", metavar="JOB.toml", help="a job file (names its store and job)"
    )
    parser.add_argument(
        "--store", metavar="PATH|URL", help="SQLite path or postgresql:// URL of the store"
    )
    parser.add_argument(
        "--job", metavar="NAME", help="the job in the store (default: its only one)"
    )


@dataclasses.dataclass(frozen=True, slots=True)
class StoreTarget:
    """An opened store, and the job asked for (if any)."""

    store: CrawlStore
    #: What the user gave for the store (a path, or a URL shown without its password).
    label: str
    #: The job named by --job or the job file; None when neither names one.
    job: str | None
    #: The job file's job, when one was given (its ``every`` gives the next due time).
    job_config: Job | None


def open_target(args: argparse.Namespace) -> StoreTarget:
    """Open the store named by ``JOB.toml`` or ``--store``; refuse a SQLite file that is missing.

    A read-only command must not create an empty store where a typo pointed.
    """
    from scraper.crawling.jobs import load_job
    from scraper.crawling.store import SQLiteStore, open_store, redact

    job = None
    if args.job_file is not None:
        job = load_job(Path(args.job_file))
    spec = args.store or (job.store if job is not None else None)
    if spec is None:
        raise ConfigError("give a job file or --store PATH|postgresql://...")
    store = open_store(spec)
    if isinstance(store, SQLiteStore) and not store.path.exists():
        raise ConfigError(f"{store.path}: no such store (a crawl creates it; check the path)")
    name = args.job or (job.name if job is not None else None)
    return StoreTarget(store, redact(spec), name, job)
