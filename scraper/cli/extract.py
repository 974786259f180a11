"""``scraper extract``: articles from URLs, HTML files or stdin."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scraper.cli.common import (
    add_fetch_flags,
    add_verbosity_flags,
    config_from_flags,
    exit_code,
)
from scraper.cli.output import (
    FORMATS,
    dumps,
    header_line,
    record,
    render_markdown,
    render_text,
)
from scraper.config import Config
from scraper.errors import ConfigError

if TYPE_CHECKING:  # the batch engine imports httpx: loaded only when extract runs
    from scraper.batch import Input, Outcome

__all__ = ["DESCRIPTION", "add_arguments", "run"]

DESCRIPTION = """\
Extract the article (text and metadata) from each input: an argument starting
with http:// or https:// is a URL, `-` is one HTML document on stdin, anything
else is a file path.

examples:
  scraper extract https://example.org/news/1
  scraper extract page.html --base-url https://example.org/news/1 --format json
  scraper extract --input-file urls.txt --format jsonl > articles.jsonl
  curl -s https://example.org/news/1 | scraper extract - --format markdown

Failed inputs do not stop the others: in jsonl they become
{"input": ..., "url": ..., "error": {"type": ..., "message": ...}} records,
otherwise one line on stderr.  Exit codes: 0 all succeeded, 1 some failed,
2 usage error, 3 nothing succeeded.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``scraper extract``."""
    parser.add_argument("inputs", nargs="*", metavar="URL|FILE|-", help="what to extract")
    parser.add_argument(
        "-f", "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "-i",
        "--input-file",
        type=Path,
        metavar="PATH",
        help="read inputs from PATH, one per line (`-` for stdin); URLs only unless --allow-files",
    )
    parser.add_argument(
        "--allow-files", action="store_true", help="let --input-file name local files too"
    )
    parser.add_argument("--base-url", metavar="URL", help="the URL that files and stdin came from")
    parser.add_argument(
        "--no-clean", action="store_true", help="skip the text cleaners (raw extractor output)"
    )
    parser.add_argument(
        "--concurrency", type=int, metavar="N", help="fetches in flight at once (default 8)"
    )
    add_fetch_flags(parser)
    add_verbosity_flags(parser)


def _read_input_file(path: Path, allow_files: bool) -> list[str]:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read --input-file {path}: {exc}") from exc
    lines = [ln.strip() for ln in text.splitlines()]
    entries = [ln for ln in lines if ln and not ln.startswith("#")]
    from scraper.batch import is_url

    if not allow_files:
        bad = [e for e in entries if not is_url(e)]
        if bad:
            raise ConfigError(
                f"--input-file {path} names {len(bad)} non-URL entr"
                f"{'y' if len(bad) == 1 else 'ies'} (first: {bad[0]!r}); "
                "add --allow-files to read local files from a list"
            )
    return entries


class _Progress:
    """``[done/total] ok N, failed M`` on stderr, redrawn in place (terminals only)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.ok = 0
        self.failed = 0
        self.enabled = total > 1 and sys.stderr.isatty()

    def __call__(self, outcome: Outcome) -> None:
        if outcome.ok:
            self.ok += 1
        else:
            self.failed += 1
        if self.enabled:
            done = self.ok + self.failed
            sys.stderr.write(f"\r[{done}/{self.total}] ok {self.ok}, failed {self.failed}")
            if done == self.total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Run ``scraper extract``; returns the exit code."""
    from scraper.batch import Input

    values = list(args.inputs)
    if args.input_file is not None:
        values += _read_input_file(args.input_file, args.allow_files)
    if not values:
        raise ConfigError("nothing to extract: give URLs, files, `-`, or --input-file")
    if values.count("-") > 1:
        raise ConfigError("stdin (`-`) can be read only once")
    config = config_from_flags(args)
    extract_cfg = dataclasses.replace(
        config.extract, clean=not args.no_clean, markdown=args.format == "markdown"
    )
    fetch_cfg = config.fetch
    if args.concurrency is not None:
        if args.concurrency < 1:
            raise ConfigError("--concurrency must be at least 1")
        fetch_cfg = dataclasses.replace(fetch_cfg, concurrency=args.concurrency)
    config = dataclasses.replace(config, extract=extract_cfg, fetch=fetch_cfg)
    inputs = [Input(v, base_url=args.base_url) for v in values]
    return asyncio.run(_run(inputs, config, args.format))


async def _run(items: list[Input], config: Config, fmt: str) -> int:
    from scraper.batch import extract_many

    progress = _Progress(len(items))
    several = len(items) > 1
    ok = failed = 0
    first = True
    out = sys.stdout
    if fmt == "json" and several:
        out.write("[\n")
    async for outcome in extract_many(items, config, on_done=progress):
        if outcome.ok:
            ok += 1
        else:
            failed += 1
        if fmt == "jsonl":
            out.write(dumps(record(outcome)) + "\n")
        elif fmt == "json":
            if outcome.ok or several:
                body = dumps(record(outcome)) if several else _pretty(record(outcome))
                out.write(("" if first else ",\n") + body)
                first = False
            if not outcome.ok:
                _report_error(outcome)
        elif outcome.article is not None:
            text = (
                render_markdown(outcome.article)
                if fmt == "markdown"
                else render_text(outcome.article)
            )
            if several:
                out.write(("" if first else "\n") + header_line(outcome) + "\n")
            first = False
            out.write(text.rstrip("\n") + "\n")
        else:
            _report_error(outcome)
        out.flush()
    if fmt == "json":
        out.write("\n]\n" if several else ("\n" if not first else ""))
    return exit_code(ok, failed)


def _pretty(obj: object) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False, indent=2)


def _report_error(outcome: Outcome) -> None:
    err = outcome.error
    print(f"scraper extract: {outcome.input.value}: {type(err).__name__}: {err}", file=sys.stderr)
