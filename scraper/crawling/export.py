"""``scraper export``: a job's stored articles as JSON Lines or CSV, its raw responses as WARC.

JSON Lines gives each article exactly as the crawl output does (the extract
record plus ``change``, ``first_seen``, ``last_changed``, ``duplicate_of``
and ``seq``).  CSV gives one row per article with the main metadata columns
and the text, for spreadsheets; lists (tags, categories) are joined with
``"; "``.  WARC (ISO 28500, gzip per record, written with warcio) holds one
``response`` record per stored response of a job crawled with ``archive =
true``: each distinct version of each page, as received (body after
content-encoding is undone, so the ``Content-Encoding`` and
``Content-Length`` headers are replaced by the body's own length).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator
from http import HTTPStatus
from typing import IO, Any

from scraper.crawling.output import output_record
from scraper.crawling.store.base import CrawlStore
from scraper.errors import ConfigError

__all__ = ["CSV_COLUMNS", "EXPORT_FORMATS", "export_articles", "export_warc", "records"]

#: Formats ``scraper export`` writes (``warc`` with :func:`export_warc`, to a binary file).
EXPORT_FORMATS = ("jsonl", "csv", "warc")
#: Headers that describe the bytes on the wire, not the stored (decoded) body.
_WIRE_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})
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


def _phrase(status: int) -> str:
    """The reason phrase of an HTTP status ("" for a code the standard does not name)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def export_warc(store: CrawlStore, job: str, out: IO[bytes]) -> int:
    """Write the job's stored raw responses to ``out`` as WARC; return how many.

    Raises ``ConfigError`` when the job kept none (it was not crawled with
    ``archive = true``), rather than writing an empty archive.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    writer = WARCWriter(out, gzip=True)
    count = 0
    for response in store.iter_responses(job):
        headers = [(k, v) for k, v in response.headers if k.lower() not in _WIRE_HEADERS]
        headers.append(("Content-Length", str(len(response.body))))
        status = f"{response.status} {_phrase(response.status)}".strip()
        record = writer.create_warc_record(
            response.url,
            "response",
            payload=io.BytesIO(response.body),
            http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
            warc_headers_dict={
                "WARC-Date": response.fetched_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            },
        )
        writer.write_record(record)
        count += 1
    if not count:
        raise ConfigError(
            f"job {job!r} kept no raw responses: crawl it with archive = true in the job "
            "file (or scraper crawl --archive) to export WARC"
        )
    return count


def export_articles(store: CrawlStore, job: str, fmt: str, out: IO[str]) -> int:
    """Write the job's articles to ``out`` in ``fmt`` (jsonl or csv); return how many.

    ``out`` for CSV should be opened with ``newline=""`` (the csv module's rule).
    Raises ``ConfigError`` for other formats (``warc`` goes to :func:`export_warc`).
    """
    if fmt == "warc":
        raise ConfigError("WARC is binary: write it with export_warc to a binary file")
    if fmt == "csv":
        return _write_csv(records(store, job), out)
    if fmt == "jsonl":
        return _write_jsonl(records(store, job), out)
    raise ConfigError(f"unknown export format {fmt!r}: give one of {', '.join(EXPORT_FORMATS)}")
