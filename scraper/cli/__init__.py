"""The ``scraper`` command: a thin layer over the library.

Each subcommand lives in its own module with ``DESCRIPTION`` (its --help,
synopsis and examples), ``add_arguments(parser)`` and ``run(args) -> int``;
modules are imported only when their subcommand runs,
so ``scraper --help`` starts fast.  Exit codes, the same for every
subcommand: 0 all succeeded, 1 some inputs failed, 2 usage or configuration
error, 3 nothing succeeded, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from scraper import __version__
from scraper.cli.common import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    configure_logging,
)
from scraper.errors import ConfigError

__all__ = ["main"]

#: Subcommand name -> module under scraper.cli, and its one-line summary.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("extract", "extract articles from URLs, HTML files or stdin"),
    "clean": ("clean", "repair scraped text (stray tags, glued words, mojibake...)"),
    "crawl": ("crawl", "crawl a job file or URLs; new and changed articles, exactly once"),
    "status": ("status", "show a crawl job's state from its store"),
    "export": ("export", "write a job's stored articles as JSON Lines or CSV"),
    "schedule": ("schedule", "run crawl jobs when due, one at a time, until stopped"),
}

DESCRIPTION = """\
Fetch web pages and get back clean article text with its metadata.

examples:
  scraper extract https://example.org/news/1 --format json
  scraper extract page.html --base-url https://example.org/news/1
  curl -s https://example.org/ | scraper extract - --format markdown
  scraper extract --input-file urls.txt --format jsonl > articles.jsonl
  scraper clean broken.txt --lang it --explain
  scraper crawl https://example.org/ --max-pages 100 --out articles.jsonl
  scraper crawl news.toml && scraper status news.toml
  scraper export --store scraper-crawl.sqlite --format csv --out articles.csv
  scraper schedule news.toml sport.toml

exit codes: 0 all succeeded, 1 some inputs failed, 2 usage or configuration
error, 3 nothing succeeded, 130 interrupted, 141 stdout closed by the reader.
"""


def build_parser() -> argparse.ArgumentParser:
    """The whole argument parser; subcommand modules are imported to add theirs."""
    parser = argparse.ArgumentParser(
        prog="scraper",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, summary) in SUBCOMMANDS.items():
        sub.add_parser(name, help=summary, add_help=False)
    return parser


def _subcommand_parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    module = importlib.import_module(f"scraper.cli.{SUBCOMMANDS[name][0]}")
    parser = argparse.ArgumentParser(
        prog=f"scraper {name}",
        description=module.DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    module.add_arguments(parser)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    top = build_parser()
    if not args or args[0] not in SUBCOMMANDS:
        top.parse_args(args or ["--help"])  # prints help/version or a usage error
        return EXIT_USAGE
    parser, module = _subcommand_parser(args[0])
    ns = parser.parse_args(args[1:])
    configure_logging(ns.verbose - ns.quiet)
    try:
        code: int = module.run(ns)  # type: ignore[attr-defined]
    except ConfigError as exc:
        print(f"scraper {args[0]}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("scraper: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python's
        # final flush of stdout from raising again at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return code
