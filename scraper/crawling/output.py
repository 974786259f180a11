"""Crawl output: records in store order, appended to a JSON Lines file exactly once.

Why it works after a ``kill -9`` at any moment: the store numbers each new or
changed article (``seq``) in the transaction that stores it, and every line
written carries its ``seq``.  On start the writer reads the END of the file
(never the whole file), cuts a half-written last line, takes the highest
``seq`` there, and drains ``store.articles_after(seq)``: what the store has
and the file lacks is written, nothing twice.  Appends are flushed per batch;
a process kill keeps what reached the kernel, so no fsync is needed for it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import IO, Any

from scraper.crawling.store.base import ArticleChange, CrawlStore, StoredArticle
from scraper.errors import ConfigError, InputError

__all__ = ["CRAWL_FIELDS", "JsonlOutput", "output_record", "predicted_fields"]

logger = logging.getLogger(__name__)

#: Keys a crawl adds to the extract record, in output order.
CRAWL_FIELDS = ("change", "first_seen", "last_changed", "duplicate_of", "seq")
_TAIL_CHUNK = 64 * 1024


def _iso(value: dt.datetime | None) -> str | None:
    return None if value is None else value.astimezone(dt.UTC).isoformat()


def predicted_fields(last_fingerprint: str | None, now: dt.datetime) -> dict[str, Any]:
    """The crawl fields as far as they can be known before ``record_article`` decides.

    Stored inside the record, because ``articles_after`` returns only the
    record: a record written after a crash (the catch-up) uses these.
    ``change`` and ``last_changed`` are exact; ``first_seen`` is exact for a
    new article and unknown (None) for a changed one, and ``duplicate_of``
    is unknown (None), until the store returns its columns with the record.
    """
    new = last_fingerprint is None
    return {
        "change": "new" if new else "changed",
        "first_seen": _iso(now) if new else None,
        "last_changed": _iso(now),
        "duplicate_of": None,
    }


def output_record(stored: StoredArticle, change: ArticleChange | None = None) -> dict[str, Any]:
    """The output line of a stored article: the extract record plus the crawl fields."""
    record = dict(stored.record)
    if change is not None:
        record["change"] = change.change
        record["first_seen"] = _iso(change.first_seen)
        record["last_changed"] = _iso(change.last_changed)
        record["duplicate_of"] = change.duplicate_of
    for key in CRAWL_FIELDS:
        record.setdefault(key, None)
    record["seq"] = stored.seq
    return record


def _last_seq(path: Path) -> int:
    """The highest ``seq`` in ``path``, after cutting a partial last line; 0 if none."""
    try:
        handle = path.open("rb+")
    except FileNotFoundError:
        return 0
    except OSError as exc:
        raise InputError(f"{path}: cannot open the output file: {exc.strerror}") from exc
    with handle:
        size = handle.seek(0, os.SEEK_END)
        end = size
        tail = b""
        # Read backwards until the tail holds one complete line (or the file starts).
        while end > 0:
            start = max(0, end - _TAIL_CHUNK)
            handle.seek(start)
            tail = handle.read(end - start) + tail
            end = start
            if tail.count(b"\n") >= 2 or (end == 0 and tail):
                break
        if tail and not tail.endswith(b"\n"):
            cut = tail.rfind(b"\n") + 1
            keep = size - len(tail) + cut
            logger.warning("%s: cutting a partial last line (%d bytes)", path, size - keep)
            handle.truncate(keep)
            tail = tail[:cut]
        lines = tail.rstrip(b"\n").rsplit(b"\n", 1)
        last = lines[-1].strip() if lines else b""
        if not last:
            return 0
        try:
            seq = json.loads(last)["seq"]
        except (ValueError, KeyError, TypeError):
            raise ConfigError(
                f"{path}: the last line is not a crawl record with a seq; "
                "give --out a new file or one this crawl wrote"
            ) from None
        if not isinstance(seq, int):
            raise ConfigError(f"{path}: the last record's seq is not a number")
        return seq


class JsonlOutput:
    """Appends a job's records to one JSON Lines file, each ``seq`` exactly once.

    ``open`` finds where the file ends (no I/O in the constructor);
    ``drain`` writes what the store has beyond it.  ``remember`` lets the
    engine hand over the exact crawl fields of the articles it just stored.
    """

    def __init__(self, path: str | Path, store: CrawlStore, job: str) -> None:
        self.path = Path(path)
        self._store = store
        self._job = job
        self._file: IO[str] | None = None
        self._known: dict[int, ArticleChange] = {}
        #: Highest seq written (or found in the file).
        self.last_seq = 0
        #: Records written by this object.
        self.written = 0

    def open(self) -> None:
        """Find the last seq written and open the file for appending."""
        self.last_seq = _last_seq(self.path)
        try:
            self._file = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write the output file: {exc.strerror}") from exc

    def remember(self, change: ArticleChange) -> None:
        """Keep the store's decision for a seq until its record is written."""
        if change.seq is not None and change.seq > self.last_seq:
            self._known[change.seq] = change

    def drain(self) -> int:
        """Write every stored record beyond ``last_seq``, in order; return how many."""
        if self._file is None:
            raise RuntimeError("JsonlOutput.open() first")
        count = 0
        while batch := self._store.articles_after(self._job, self.last_seq, limit=500):
            lines = [
                json.dumps(output_record(a, self._known.pop(a.seq, None)), ensure_ascii=False)
                for a in batch
            ]
            self._file.write("\n".join(lines) + "\n")
            self._file.flush()
            self.last_seq = batch[-1].seq
            count += len(batch)
        self.written += count
        return count

    def close(self) -> None:
        """Close the file; idempotent."""
        if self._file is not None:
            self._file.close()
            self._file = None
