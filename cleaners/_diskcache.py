"""The cleaners' folder of derived data files, built once per machine.

Why: the data the cleaners read ships compressed (wordfreq's msgpack tables,
py3langid's LZMA model) and decoding it costs 0.1-1.5 s in every process that
starts; a one-off ``scraper extract`` or a fresh worker process paid it each
time.  The decoded forms are written here once and memory-mapped afterwards
(:mod:`cleaners.wordindex`, :mod:`cleaners.langmodel`).

Where: ``$TIDYSCRAPE_CACHE_DIR``, else ``$XDG_CACHE_HOME/tidyscrape``, else
``~/.cache/tidyscrape``.  Each kind of file lives in a subfolder named after its
format and the version of the data it came from, so an upgrade never reads a
stale file.  It is only a cache: a folder that cannot be written is not an
error (the caller builds in memory and a warning is logged once), and files are
written under a temporary name and renamed, so concurrent builders never see
each other's half-written files.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic", "cache_dir", "warn_unwritable"]

logger = logging.getLogger(__name__)


def cache_dir() -> Path:
    """The cache folder (see the module docstring), read from the environment each time."""
    explicit = os.environ.get("TIDYSCRAPE_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tidyscrape"


@contextlib.contextmanager
def atomic(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path``, renamed to it when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o644)  # readable by everyone, like the package's own data
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


@functools.cache
def warn_unwritable(folder: Path, reason: str) -> None:
    """Say once per folder and reason that derived files cannot be saved there."""
    logger.warning(
        "cannot save derived data in %s (%s): each process decodes it again; "
        "set TIDYSCRAPE_CACHE_DIR to a writable folder",
        folder,
        reason,
    )
