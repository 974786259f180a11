"""``scraper clean``: repair scraped text from a file or stdin."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from scraper.cli.common import EXIT_NOTHING, EXIT_OK, add_verbosity_flags
from scraper.cli.output import dumps
from scraper.errors import InputError

__all__ = ["DESCRIPTION", "add_arguments", "read_text", "run"]

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Repair scraped text: stray tag fragments (`p>`, `strong>`), leftover entities,
mojibake, odd spacing and doubled punctuation, words hyphenated across lines,
broken paragraphs, duplicated paragraphs and headings, boilerplate lines and
run-together words (`voltanel` -> `volta nel`).  Correct text is left alone.
Reads FILE (or stdin), writes the cleaned text on stdout.

examples:
  scraper clean article.txt --lang it
  pbpaste | scraper clean - --explain 2> changes.jsonl
  scraper clean --prepare          # build the data cache now (once per machine)

The word tables and the language model are decoded into a data cache on
their first use (0.5-3 s per language, once per machine; see README "Data
cache").  --prepare builds it for every language now, e.g. in a container
image, and exits.
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags of ``scraper clean``."""
    parser.add_argument("file", nargs="?", default="-", metavar="FILE|-", help="text to clean")
    parser.add_argument(
        "--lang",
        metavar="xx",
        help="language (ISO 639-1); detected from the text when not given",
    )
    parser.add_argument("--title", help="the article's title, so that a repeated copy is dropped")
    parser.add_argument(
        "--explain", action="store_true", help="write each change as JSON Lines on stderr"
    )
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="build the data cache (word tables, language model) for every language, then exit",
    )
    add_verbosity_flags(parser)


def read_text(name: str) -> str:
    """Read FILE or stdin as text; InputError names the input when it is not text."""
    label = "stdin" if name == "-" else name
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise InputError(f"{label}: cannot read: {exc.strerror or exc}") from exc
    if b"\x00" in data:
        raise InputError(f"{label}: binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None or best.chaos > 0.1:
            raise InputError(
                f"{label}: not valid UTF-8 (byte {exc.start}) and no other encoding fits"
            ) from exc
        logger.warning("%s: not UTF-8; decoded as %s", label, best.encoding)
        return str(best)


def run(args: argparse.Namespace) -> int:
    """Run ``scraper clean``; returns the exit code."""
    import cleaners

    if args.prepare:
        prepared = cleaners.prepare_data(None if args.lang is None else [args.lang])
        print(f"data cache ready for {len(prepared)} languages", file=sys.stderr)
        return EXIT_OK
    try:
        text = read_text(args.file)
    except InputError as exc:
        print(f"scraper clean: error: {exc}", file=sys.stderr)
        return EXIT_NOTHING
    lang = args.lang.strip().lower() if args.lang else None
    if lang and not cleaners.is_supported_language(lang):
        print(
            f"scraper clean: warning: language {lang!r} is not supported; "
            "cleaning with the language-independent steps only",
            file=sys.stderr,
        )
    result = cleaners.explain(text, lang, title=args.title)
    sys.stdout.write(result.text)
    if result.text and not result.text.endswith("\n"):
        sys.stdout.write("\n")
    if args.explain:
        for change in result.changes:
            sys.stderr.write(dumps(change.to_dict()) + "\n")
    return EXIT_OK
