"""Pure helpers both stores share: hosts, times, process liveness, near-duplicate choice.

Kept apart so that the SQLite and PostgreSQL stores agree on every decision
that is not SQL: which host a URL belongs to, when a run counts as alive, how
a new article compares with the last one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import socket
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from scraper.crawling.store.base import Change
from scraper.crawling.store.simhash import MAX_DISTANCE, hamming

__all__ = [
    "ADD_CHUNK",
    "EPOCH",
    "Candidate",
    "RunInfo",
    "chunks",
    "decide_change",
    "dump_record",
    "error_text",
    "from_micros",
    "host_of",
    "nearest_duplicate",
    "process_start",
    "run_is_live",
    "this_host",
    "to_micros",
    "utc",
]

T = TypeVar("T")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: URLs inserted per statement by ``add_urls``: bounds memory for any iterable
#: (a 1,000,000-URL seed list streams through in chunks, inside one transaction).
ADD_CHUNK = 5000
_MICRO = dt.timedelta(microseconds=1)


def chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (``itertools.batched`` needs Python 3.12).

    >>> list(chunks(range(5), 2))
    [[0, 1], [2, 3], [4]]
    """
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def utc(value: dt.datetime) -> dt.datetime:
    """``value`` in UTC; a naive datetime is a caller bug (whose clock?), so it raises.

    >>> utc(dt.datetime(2024, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))).hour
    0
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: the store needs timezone-aware UTC times")
    return value.astimezone(dt.UTC)


def to_micros(value: dt.datetime) -> int:
    """Microseconds since the epoch: SQLite stores times as exact integers.

    >>> to_micros(dt.datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=dt.UTC))
    1000005
    """
    return (utc(value) - EPOCH) // _MICRO


def from_micros(value: int) -> dt.datetime:
    """The inverse of :func:`to_micros`.

    >>> from_micros(1000005).isoformat()
    '1970-01-01T00:00:01.000005+00:00'
    """
    return EPOCH + dt.timedelta(microseconds=value)


def host_of(url: str) -> str:
    """The politeness key of a URL: its lower-cased host name, without port.

    Like Scrapy's download slots: two ports on one machine are one server to
    be polite to.  The crawler must use this same function for
    ``set_host_delay`` and ``defer_host``.

    >>> host_of("https://User@Example.COM:8443/a?b")
    'example.com'
    >>> host_of("not a url")
    ''
    """
    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # an invalid port or IPv6 literal: still queue it, on its own "host"
        return ""


def dump_record(record: dict[str, Any]) -> str:
    """JSON text of an article record; NUL and other controls come out escaped (PostgreSQL-safe)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


#: Longest error message kept per URL: the cause fits, a 1 MB exception text does not.
MAX_ERROR_TEXT = 2000


def error_text(message: str | None) -> str | None:
    """An error message fit for storing: bounded, and without NUL (PostgreSQL text refuses it).

    Error messages quote what servers sent, so they may hold anything.

    >>> error_text("bad" + chr(0) + "byte") == "bad" + chr(0xFFFD) + "byte"
    True
    >>> len(error_text("x" * 5000) or "")
    2001
    """
    if message is None:
        return None
    message = message.replace("\x00", "\ufffd")
    return message if len(message) <= MAX_ERROR_TEXT else message[:MAX_ERROR_TEXT] + "…"


def this_host() -> str:
    """The machine name recorded with each run (liveness checks need it)."""
    return socket.gethostname()


def process_start(pid: int) -> int | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), or None.

    Recorded with the pid so that a pid reused by an unrelated process after a
    ``kill -9`` is not mistaken for the crawler that died.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: split after the last ")".
    fields = stat.rpartition(")")[2].split()
    try:
        return int(fields[19])  # field 22 of proc(5), counted from field 3
    except (IndexError, ValueError):
        return None


def _pid_alive(pid: int, start: int | None) -> bool:
    """Whether ``pid`` is still the process that registered the run."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc (macOS): the pid exists, believe it
    if state.rpartition(")")[2].split()[:1] in (["Z"], ["X"]):
        return False  # killed, not yet reaped by its parent
    return start is None or process_start(pid) in (None, start)


@dataclass(frozen=True, slots=True)
class RunInfo:
    """A run row as the liveness check sees it."""

    worker: str
    pid: int
    host: str
    pid_start: int | None
    heartbeat: dt.datetime
    exclusive: bool


def run_is_live(run: RunInfo, *, now: dt.datetime, stale_after: dt.timedelta) -> bool:
    """Whether the process behind ``run`` may still be working.

    On this machine we can ask the kernel (pid + start time): a ``kill -9``
    leaves no lock behind to clean up.  A run from another machine (a
    PostgreSQL worker, or SQLite on a network file system) is alive while its
    heartbeat, refreshed by every ``claim``, is younger than ``stale_after``.
    """
    if run.host == this_host():
        return _pid_alive(run.pid, run.pid_start)
    return now - run.heartbeat < stale_after


def decide_change(last_fingerprint: str | None, fingerprint: str) -> Change:
    """new / changed / unchanged against the URL's last stored article.

    >>> decide_change(None, "a"), decide_change("a", "a"), decide_change("a", "b")
    ('new', 'unchanged', 'changed')
    """
    if last_fingerprint is None:
        return "new"
    return "unchanged" if last_fingerprint == fingerprint else "changed"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A stored article sharing a simhash band with the new one."""

    url: str
    simhash: int
    seq: int
    duplicate_of: str | None


def nearest_duplicate(simhash: int, candidates: Iterable[Candidate]) -> str | None:
    """The URL the new article nearly duplicates, or None.

    The closest candidate wins, the earliest (lowest ``seq``) on ties; if that
    one is itself a duplicate, its original is named, so chains point at one
    URL.

    >>> nearest_duplicate(0b111, [Candidate("b", 0b011, 2, "a"), Candidate("c", 0, 1, None)])
    'a'
    >>> nearest_duplicate(0, [Candidate("x", 0b1111, 1, None)]) is None
    True
    """
    best: tuple[int, int, Candidate] | None = None
    for cand in candidates:
        distance = hamming(simhash, cand.simhash)
        if distance <= MAX_DISTANCE and (best is None or (distance, cand.seq) < best[:2]):
            best = (distance, cand.seq, cand)
    if best is None:
        return None
    return best[2].duplicate_of or best[2].url


def pack_body(body: bytes) -> tuple[bytes, str]:
    """A raw response body as stored (zlib) and its digest (to skip repeats).

    >>> packed, digest = pack_body(b"<p>hi</p>")
    >>> unpack_body(packed), len(digest)
    (b'<p>hi</p>', 40)
    """
    return zlib.compress(body, 6), hashlib.sha1(body, usedforsecurity=False).hexdigest()


def unpack_body(packed: bytes) -> bytes:
    """The body :func:`pack_body` stored."""
    return zlib.decompress(packed)


def dump_headers(headers: Iterable[tuple[str, str]]) -> str:
    """Response headers as stored: a JSON list of ``[name, value]`` pairs."""
    return json.dumps([[name, value] for name, value in headers], ensure_ascii=False)


def load_headers(text: str) -> list[tuple[str, str]]:
    """The headers :func:`dump_headers` stored."""
    return [(str(name), str(value)) for name, value in json.loads(text)]
