"""Extract many inputs at once: URLs, files and stdin, with bounded concurrency.

Fetches run concurrently on one event loop, at most
``FetchConfig.concurrency`` at a time and politely per host (``HostSlots``:
one connection and a small delay per host by default); extractions run in a
pool of worker processes killed at their deadline.  One failing input never
stops the others: it becomes an :class:`Outcome` carrying its typed error.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scraper.config import Config
from scraper.errors import InputError, ScraperError
from scraper.extraction.worker import ExtractionPool, usable_cores
from scraper.fetching.client import Fetcher
from scraper.fetching.politeness import HostSlots
from scraper.models import Article

__all__ = ["Input", "Outcome", "extract_many", "is_url"]

logger = logging.getLogger(__name__)


def is_url(text: str) -> bool:
    """An argument starting with http:// or https:// is a URL; anything else a path.

    >>> is_url("https://example.org/a"), is_url("HTTP://EXAMPLE.ORG"), is_url("page.html")
    (True, True, False)
    """
    return text[:8].lower().startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class Input:
    """One thing to extract: a URL, a file path, or ``-`` for stdin."""

    #: The argument as given.
    value: str
    #: For files and stdin: the URL the document came from (``--base-url``).
    base_url: str | None = None

    @property
    def kind(self) -> str:
        """ "url", "stdin" or "file"."""
        if self.value == "-":
            return "stdin"
        return "url" if is_url(self.value) else "file"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result for one input: an article, or the error that stopped it."""

    input: Input
    #: The URL of the document (final URL after redirects), when known.
    url: str | None
    article: Article | None = None
    error: ScraperError | None = None

    @property
    def ok(self) -> bool:
        """True when an article came out."""
        return self.article is not None


def _read_local(item: Input) -> bytes:
    """The bytes of a file or of stdin; InputError names what could not be read."""
    if item.kind == "stdin":
        data = sys.stdin.buffer.read()
        if not data.strip():
            raise InputError("stdin is empty: pipe one HTML document into `scraper extract -`")
        return data
    path = Path(item.value)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{item.value}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{item.value}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{item.value}: cannot read: {exc.strerror}") from exc


async def _one(
    item: Input,
    fetcher: Fetcher,
    slots: HostSlots,
    pool: ExtractionPool,
    limit: asyncio.Semaphore,
) -> Outcome:
    url = item.value if item.kind == "url" else item.base_url
    try:
        if item.kind == "url":
            async with limit, slots.slot(item.value):
                page = await fetcher.fetch(item.value)
            url = page.final_url
            article: Article = await pool.arun(
                page.content, url, encoding=page.encoding, binary_checked=True
            )
        else:
            data = await asyncio.to_thread(_read_local, item)
            article = await pool.arun(data, url)
    except ScraperError as exc:
        logger.info("%s: %s: %s", item.value, type(exc).__name__, exc)
        return Outcome(item, url, error=exc)
    return Outcome(item, url, article=article)


async def extract_many(
    inputs: Sequence[Input],
    config: Config,
    *,
    on_done: Callable[[Outcome], None] | None = None,
) -> AsyncIterator[Outcome]:
    """Yield one Outcome per input, in input order, as soon as each is ready.

    ``on_done`` is called as each input finishes (in completion order), for
    progress displays.
    """
    processes = max(1, min(len(inputs), usable_cores()))
    limit = asyncio.Semaphore(max(1, config.fetch.concurrency))
    with ExtractionPool(config, processes) as pool:
        async with Fetcher(config.fetch) as fetcher:
            slots = HostSlots(config.fetch)
            tasks = [
                asyncio.create_task(_one(item, fetcher, slots, pool, limit)) for item in inputs
            ]
            if on_done is not None:
                report = on_done

                def _report(task: asyncio.Task[Outcome]) -> None:
                    if not task.cancelled() and task.exception() is None:
                        report(task.result())

                for task in tasks:
                    task.add_done_callback(_report)
            try:
                for task in tasks:
                    yield await task
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
