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

from scraper.crawling.store.base import CrawlStore, StoredArticle
from scraper.errors import ConfigError, InputError

__all__ = ["CRAWL_FIELDS", "JsonlOutput", "output_record"]

logger = logging.getLogger(__name__)

#: Keys a crawl adds to the extract record, in output order.
CRAWL_FIELDS = ("change", "first_seen", "last_changed", "duplicate_of", "seq")
_TAIL_CHUNK = 64 * 1024


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def output_record(stored: StoredArticle) -> dict[str, Any]:
    """The output line of a stored article: the extract record plus the crawl fields.

    Everything comes from the store, so a line written live and the same line
    written by a catch-up drain after a crash are identical.
    """
    record = dict(stored.record)
    record["change"] = stored.change
    record["first_seen"] = _iso(stored.first_seen)
    record["last_changed"] = _iso(stored.last_changed)
    record["duplicate_of"] = stored.duplicate_of
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
    ``drain`` writes what the store has beyond it.
    """

    def __init__(self, path: str | Path, store: CrawlStore, job: str) -> None:
        self.path = Path(path)
        self._store = store
        self._job = job
        self._file: IO[str] | None = None
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

    def drain(self) -> int:
        """Write every stored record beyond ``last_seq``, in order; return how many."""
        if self._file is None:
            raise RuntimeError("JsonlOutput.open() first")
        count = 0
        while batch := self._store.articles_after(self._job, self.last_seq, limit=500):
            lines = [json.dumps(output_record(a), ensure_ascii=False) for a in batch]
            try:
                self._file.write("\n".join(lines) + "\n")
                self._file.flush()
            except OSError as exc:
                # A half-written last line is cut when the output is next opened.
                raise InputError(
                    f"{self.path}: cannot write the output file: {exc.strerror or exc}; "
                    "free some space, then rerun the same command to resume"
                ) from exc
            self.last_seq = batch[-1].seq
            count += len(batch)
            self.written += len(batch)  # kept if a later batch's read raises
        return count

    def close(self) -> None:
        """Close the file; idempotent."""
        if self._file is not None:
            self._file.close()
            self._file = None
