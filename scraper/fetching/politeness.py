"""Per-host slots: how many requests may be in flight to a host, and how often.

A batch or a crawl wraps each fetch in ``async with slots.slot(url):``.  A
single ``Fetcher.fetch`` does not: it makes one request (plus redirects and
retries) and has nobody to be polite to but the server it is talking to.

Per host, at most ``per_host_concurrency`` requests run at once, and two
request starts are at least ``per_host_delay`` seconds apart, stretched by a
random 0-20 % so that parallel crawlers do not fall into lock-step (cf.
scrapy ``RANDOMIZE_DOWNLOAD_DELAY``).  ``defer`` pushes a host's next slot
later (Retry-After); ``set_delay`` raises its spacing (robots.txt
Crawl-delay).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

from scraper.config import FetchConfig

__all__ = ["HostSlots", "host_key"]

logger = logging.getLogger(__name__)

#: The delay between starts is stretched by a random factor in [1, 1 + this].
JITTER: Final = 0.2
#: Idle hosts are forgotten once this many are tracked.
_PRUNE_AT: Final = 10_000


def host_key(url_or_host: str) -> str:
    """The host a URL (or a bare host name) counts against, lower-case.

    >>> host_key("https://News.Example.org:8443/a"), host_key("Example.org")
    ('news.example.org', 'example.org')
    """
    if "://" in url_or_host:
        return (urlsplit(url_or_host).hostname or "").lower()
    return url_or_host.strip().lower()


@dataclass(slots=True)
class _Host:
    """One host's limiter: a semaphore for concurrency, a lock to space starts."""

    running: asyncio.Semaphore
    spacing: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: clock() time before which no new request may start.
    next_start: float = 0.0
    #: Seconds between starts; per_host_delay, or more after set_delay().
    delay: float = 0.0
    #: Tasks holding or waiting for a slot.
    users: int = 0


class HostSlots:
    """Async per-host limiter for batch callers (CLI ``--input-file``, crawls)."""

    def __init__(
        self,
        config: FetchConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self._concurrency = max(1, config.per_host_concurrency)
        self._delay = max(0.0, config.per_host_delay)
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._hosts: dict[str, _Host] = {}

    def _host(self, key: str) -> _Host:
        host = self._hosts.get(key)
        if host is None:
            if len(self._hosts) >= _PRUNE_AT:
                self._prune()
            host = _Host(asyncio.Semaphore(self._concurrency), delay=self._delay)
            self._hosts[key] = host
        return host

    def _prune(self) -> None:
        now = self._clock()
        idle = [k for k, h in self._hosts.items() if h.users == 0 and h.next_start <= now]
        for key in idle:
            del self._hosts[key]

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        """Wait for a free slot on ``url``'s host, then hold it for the block."""
        key = host_key(url)
        host = self._host(key)
        host.users += 1
        try:
            async with host.running:
                async with host.spacing:
                    wait = host.next_start - self._clock()
                    if wait > 0:
                        logger.debug("waiting %.2f s for a slot on %s", wait, key)
                        await self._sleep(wait)
                    stretch = 1.0 + self._rng.uniform(0.0, JITTER)
                    host.next_start = max(self._clock(), host.next_start) + host.delay * stretch
                yield
        finally:
            host.users -= 1

    def defer(self, url: str, seconds: float) -> None:
        """Start no request to ``url``'s host for ``seconds`` from now (e.g. Retry-After)."""
        host = self._host(host_key(url))
        host.next_start = max(host.next_start, self._clock() + max(0.0, seconds))

    def set_delay(self, url: str, seconds: float) -> None:
        """Space requests to ``url``'s host at least ``seconds`` apart (e.g. Crawl-delay)."""
        host = self._host(host_key(url))
        host.delay = max(self._delay, seconds)

    def delay(self, url: str) -> float:
        """The current spacing in seconds for ``url``'s host (before jitter)."""
        host = self._hosts.get(host_key(url))
        return self._delay if host is None else host.delay
