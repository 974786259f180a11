"""``scraper export``: a job's stored articles (latest version per URL) as JSON Lines or CSV.

JSON Lines gives each article exactly as the crawl output does (the extract
record plus ``change``, ``first_seen``, ``last_changed``, ``duplicate_of``
and ``seq``).  CSV gives one row per article with the main metadata columns
and the text, for spreadsheets; lists (tags, categories) are joined with
``"; "``.

WARC is not offered: the store keeps extracted articles, not raw responses,
so there is nothing faithful to archive yet.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from scraper.crawling.output import output_record
from scraper.crawling.store.base import CrawlStore
from scraper.errors import ConfigError

__all__ = ["CSV_COLUMNS", "EXPORT_FORMATS", "WARC_UNAVAILABLE", "export_articles", "records"]

#: Formats ``scraper export`` writes.
EXPORT_FORMATS = ("jsonl", "csv")
#: Why ``--format warc`` is refused.
WARC_UNAVAILABLE = (
    "WARC export is not available yet: the store keeps the extracted articles, not the raw "
    "responses a WARC file archives; export jsonl or csv instead"
)
#: CSV columns, in order: identity, crawl fields, metadata, then the text.
CSV_COLUMNS = (
    "seq",
    "url",
    "canonical_url",
    "change",
    "first_seen",
    "last_changed",
    "duplicate_of",
    "title",
    "author",
    "date",
    "language",
    "sitename",
    "description",
    "tags",
    "categories",
    "word_count",
    "text",
)


def records(store: CrawlStore, job: str) -> Iterator[dict[str, Any]]:
    """The job's articles, latest version per URL, in ``seq`` order, as output records."""
    for stored in store.iter_articles(job):
        yield output_record(stored)


def _csv_cell(value: object) -> object:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return "" if value is None else value


def _write_csv(items: Iterable[dict[str, Any]], out: IO[str]) -> int:
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180, what spreadsheets expect
    writer.writerow(CSV_COLUMNS)
    count = 0
    for record in items:
        writer.writerow([_csv_cell(record.get(column)) for column in CSV_COLUMNS])
        count += 1
    return count


def _write_jsonl(items: Iterable[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for record in items:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def export_articles(store: CrawlStore, job: str, fmt: str, out: IO[str]) -> int:
    """Write the job's articles to ``out`` in ``fmt``; return how many.

    ``out`` for CSV should be opened with ``newline=""`` (the csv module's rule).
    Raises ``ConfigError`` for ``warc`` and unknown formats.
    """
    if fmt == "warc":
        raise ConfigError(WARC_UNAVAILABLE)
    if fmt == "csv":
        return _write_csv(records(store, job), out)
    if fmt == "jsonl":
        return _write_jsonl(records(store, job), out)
    raise ConfigError(f"unknown export format {fmt!r}: give one of {', '.join(EXPORT_FORMATS)}")
