"""Pool tasks that misbehave on purpose, to test the worker's bounds (deadline, memory).

They are module-level functions so that workers can receive them by name
(``ExtractionPool(task=...)``).  Each one keeps its misbehaviour bounded by
itself (a sleep that ends, an allocation that stops), so a pool bug can make
a test fail, never hang the session or eat the machine.
"""

from __future__ import annotations

import os
import time
from typing import Any

__all__ = [
    "DIE",
    "STALL",
    "echo",
    "hog_at_once",
    "hog_slowly",
    "nap",
    "niceness",
    "pid",
    "stall",
    "unreadable",
]

MIB = 1024 * 1024
#: A document holding this stalls ``stall``; any other comes back as it is.
STALL = "<!-- STALL -->"
#: A document holding this makes ``nap`` end its process mid-job.
DIE = "<!-- DIE -->"


def echo(html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None) -> Any:
    """Return the document as the task received it (after the worker's screening)."""
    return html


def stall(html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None) -> Any:
    """On a document holding STALL, block in one C call (``time.sleep``) for 30 s: only
    killing the process stops it.  Any other document comes back as it is."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    if STALL in text:
        time.sleep(30)
    return html


def nap(html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None) -> Any:
    """Sleep ``url`` seconds (a number, or none), then return the document as received;
    on a document holding DIE, end the worker process at once (exit code 7)."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    if DIE in text:
        os._exit(7)
    time.sleep(float(url or 0))
    return html


def niceness(
    html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None
) -> int:
    """The worker process's niceness."""
    return os.nice(0)


def hog_slowly(
    html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None
) -> int:
    """Touch 16 MiB more every 10 ms, up to 1.5 GiB: the memory watchdog must stop it first."""
    blocks = []
    for _ in range(96):
        blocks.append(bytearray(16 * MIB))  # zero-filled, so every page is touched
        time.sleep(0.01)
    return len(blocks)


def pid(html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None) -> int:
    """The worker process's pid."""
    return os.getpid()


def hog_at_once(
    html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None
) -> int:
    """Ask for 8 GiB in one allocation: the address-space cap makes it a MemoryError."""
    return len(bytearray(8192 * MIB))


def unreadable(
    html: bytes | str, url: str | None, config: Any, *, encoding: str | None = None
) -> Any:
    """Sleep ``url`` seconds (a number, or none), then return an object that pickles in
    the worker and fails to unpickle in the parent (its loader raises ValueError)."""
    time.sleep(float(url or 0))
    return _Unreadable()


class _Unreadable:
    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_refuse, ())


def _refuse() -> None:
    raise ValueError("this object cannot be loaded here")
