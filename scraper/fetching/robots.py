"""robots.txt (RFC 9309): fetch once per origin, cache, answer per URL.

THIS MODULE HOLDS A CACHE.  ``RobotsCache`` keeps the parsed robots.txt of
each origin for the lifetime of one instance (normally one ``Fetcher``);
there is no module-level state.  Entries expire after a day (the RFC's
limit), or after a few minutes when robots.txt could not be read.

What the answer is, per RFC 9309 section 2.3.1:

* 2xx: parse it (a UTF-8 BOM stripped, only the first 500 KiB read, after
  decompression, which is bounded as for pages); lines that do not parse
  are skipped, the others kept;
* up to five redirects are followed, then robots.txt counts as unavailable;
* 4xx (unavailable): everything is allowed;
* 429, 5xx, timeouts, connection errors, bodies that do not decompress and
  redirects to a hop that cannot be made (a refused address, a ``Location``
  that is not a URL) (unreachable): everything is disallowed, for now; the
  short expiry lets a later fetch try again.  A refused address for the
  page's own origin raises :class:`BlockedAddress`, as the page would.

Downloading one robots.txt has its own total deadline,
``FetchConfig.robots_timeout`` but at most half the fetch's ``timeout``, so
that a trickling robots.txt ends in "disallowed for now" (RFC 9309 treats a
timeout as unreachable) rather than in the page fetch's DeadlineExceeded.

The agent matched is the product token of ``FetchConfig.user_agent``
("tidyscrape" in "tidyscrape/0.1 (+https://...)").
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

import httpx
from protego import Protego

from scraper.config import FetchConfig
from scraper.errors import BlockedAddress, FetchError, RobotsDisallowed
from scraper.fetching.addresses import Resolver, SystemResolver
from scraper.fetching.decoding import BodyDecoder, CapReached, content_encodings
from scraper.fetching.redirects import (
    REDIRECT_STATUSES,
    AddressPolicy,
    HopGuard,
    check_scheme,
    drain,
    location,
    normalize_url,
    redirect_target,
)

__all__ = ["MAX_ORIGINS", "ROBOTS_MAX_BYTES", "RobotsCache", "product_token", "robots_url"]

logger = logging.getLogger(__name__)

#: Bytes of robots.txt parsed; the rest is ignored (RFC 9309: at least 500 KiB).
ROBOTS_MAX_BYTES: Final = 500 * 1024
#: Redirects followed when fetching robots.txt (RFC 9309: at least five).
_MAX_HOPS: Final = 5
#: Seconds a parsed (or absent) robots.txt is trusted (RFC 9309: at most 24 h).
_TTL: Final = 24 * 3600.0
#: Seconds an unreachable robots.txt keeps its origin disallowed before we ask again.
_UNREACHABLE_TTL: Final = 300.0
#: Origins whose answer is kept (the least recently used go first).  A parsed
#: robots.txt can hold up to 500 KiB of rules, so a crawl over many hosts
#: must not keep them all.
MAX_ORIGINS: Final = 2048

_TOKEN_RE: Final = re.compile(r"[A-Za-z_-]+")


def product_token(user_agent: str) -> str:
    """The name robots.txt groups are matched against: the UA's product token.

    >>> product_token("tidyscrape/0.1 (+https://pypi.org/project/tidyscrape/)")
    'tidyscrape'
    >>> product_token("  ")
    '*'
    """
    match = _TOKEN_RE.match(user_agent.strip())
    return match.group(0).lower() if match else "*"


def robots_url(url: str) -> str:
    """The robots.txt URL of ``url``'s origin (user info dropped).

    >>> robots_url("https://user:pw@Example.org:8443/a/b?q")
    'https://example.org:8443/robots.txt'
    """
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2].lower()
    return f"{parts.scheme.lower()}://{host}/robots.txt"


@dataclass(frozen=True, slots=True)
class _Rules:
    """The answer for one origin: a parser, or one verdict for every path."""

    #: The parsed file, or None when ``allow_all`` decides every URL.
    parser: Protego | None
    #: The verdict when there is no parser.
    allow_all: bool
    #: Why, for logs and error messages.
    why: str
    #: ``clock()`` time after which the entry is fetched again.
    expires: float


@dataclass(slots=True)
class _Loading:
    """The lock of one origin being loaded, and the tasks holding or awaiting it."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0


class RobotsCache:
    """robots.txt answers per origin, fetched through the caller's client.

    Robots requests are not themselves checked against robots.txt; they pass
    the address policy like every other hop (the client's transport applies
    it; ``address_policy`` and ``resolver`` are for a client whose transport
    does not, see HopGuard).  Concurrent questions about one origin share one
    download.  At most ``max_origins`` answers are kept, the least recently
    used dropped first; an origin's lock lives only while it is loading.
    """

    def __init__(
        self,
        config: FetchConfig,
        client: httpx.AsyncClient,
        *,
        address_policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_origins: int = MAX_ORIGINS,
    ) -> None:
        self._client = client
        self._policy = address_policy
        self._resolver: Resolver = resolver if resolver is not None else SystemResolver()
        self._timeout = max(0.0, min(config.robots_timeout, config.timeout / 2))
        self._clock = clock
        self._agent = product_token(config.user_agent)
        self._max_url_length = config.max_url_length
        self._max_origins = max(1, max_origins)
        self._rules: OrderedDict[str, _Rules] = OrderedDict()
        # Per origin: its lock and how many tasks hold or wait for it.
        self._locks: dict[str, _Loading] = {}

    def __len__(self) -> int:
        """Origins whose answer is cached (expired ones included until dropped)."""
        return len(self._rules)

    @property
    def agent(self) -> str:
        """The product token matched against ``User-agent`` lines."""
        return self._agent

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our agent fetch ``url``."""
        rules = await self._rules_for(url)
        if rules.parser is None:
            return rules.allow_all
        return bool(rules.parser.can_fetch(url, self._agent))

    async def check(self, url: str) -> None:
        """Raise :class:`RobotsDisallowed` unless robots.txt allows ``url``."""
        if await self.allowed(url):
            return
        rules = await self._rules_for(url)
        raise RobotsDisallowed(
            f"{rules.why} forbids {url} for agent {self._agent!r}; "
            "fetch it only if you have permission (--ignore-robots)",
            url=url,
        )

    async def crawl_delay(self, url: str) -> float | None:
        """The ``Crawl-delay`` in seconds for our agent at ``url``'s origin, if any."""
        rules = await self._rules_for(url)
        if rules.parser is None:
            return None
        delay = rules.parser.crawl_delay(self._agent)
        return None if delay is None else float(delay)

    async def sitemaps(self, url: str) -> tuple[str, ...]:
        """The ``Sitemap:`` lines of the robots.txt of ``url``'s origin, as written.

        Why here: a crawl reads them from the file it downloads for the rules
        anyway, instead of fetching robots.txt a second time.  Empty when the
        file is missing or unreachable.
        """
        rules = await self._rules_for(url)
        return () if rules.parser is None else tuple(rules.parser.sitemaps)

    async def _rules_for(self, url: str) -> _Rules:
        key = robots_url(url)
        cached = self._cached(key)
        if cached is not None:
            return cached
        loading = self._locks.get(key)
        if loading is None:
            loading = self._locks[key] = _Loading()
        loading.users += 1
        try:
            async with loading.lock:
                cached = self._cached(key)  # another task may have loaded it meanwhile
                if cached is not None:
                    return cached
                rules = await self._load(key)
                logger.debug("robots %s: %s", key, rules.why)
                self._rules[key] = rules
                self._rules.move_to_end(key)
                while len(self._rules) > self._max_origins:
                    self._rules.popitem(last=False)
                return rules
        finally:
            loading.users -= 1
            if not loading.users:
                del self._locks[key]

    def _cached(self, key: str) -> _Rules | None:
        """The unexpired answer for ``key``, marked as recently used."""
        cached = self._rules.get(key)
        if cached is None or cached.expires <= self._clock():
            return None
        self._rules.move_to_end(key)
        return cached

    def _verdict(self, allow_all: bool, why: str, ttl: float) -> _Rules:
        return _Rules(None, allow_all, why, self._clock() + ttl)

    async def _load(self, url: str) -> _Rules:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._download(url)
        except TimeoutError:
            logger.info("robots.txt %s took longer than %.1f s", url, self._timeout)
            why = f"robots.txt of {url} timed out (over {self._timeout:g} s)"
            return self._verdict(False, why, _UNREACHABLE_TTL)

    async def _download(self, url: str) -> _Rules:
        first = url
        for hop in range(_MAX_HOPS + 1):
            try:
                check_scheme(url)
            except FetchError:
                return self._verdict(True, f"robots.txt of {first} redirects off the web", _TTL)
            try:
                url = normalize_url(url, self._max_url_length)
                guard = HopGuard(self._policy, self._resolver, url)
                await guard.preflight()
                request = self._client.build_request("GET", url, extensions=guard.extensions)
                # robots.txt needs no cookie, and the client's jar matches by host
                # only: a cookie of another port or scheme would go along.
                request.headers.pop("cookie", None)
                response = await self._client.send(request, stream=True)
                try:
                    guard.check_response(response)
                    status = response.status_code
                    target = location(response)
                    if status in REDIRECT_STATUSES and target:
                        url = redirect_target(url, target)
                        continue
                    if 200 <= status < 300:
                        return self._parse(first, await _read_capped(response, url))
                    await drain(response)
                finally:
                    await response.aclose()
            except httpx.TimeoutException as exc:
                logger.info("robots.txt %s timed out: %s", url, exc)
                return self._verdict(False, f"robots.txt of {first} timed out", _UNREACHABLE_TTL)
            except BlockedAddress:
                if hop == 0:
                    raise  # the page's own origin is refused: say so, not "disallowed"
                logger.info("robots.txt of %s redirects to a refused address (%s)", first, url)
                return self._verdict(False, f"unreachable robots.txt ({first})", _UNREACHABLE_TTL)
            except (httpx.HTTPError, FetchError) as exc:
                # Connection failures, bodies that do not decompress, and hops that
                # cannot be made (a Location that is not a URL, a host name that is
                # not one): robots.txt is unreachable, so everything is disallowed
                # for now (RFC 9309 2.3.1.4), and the verdict is cached as such.
                logger.info("robots.txt %s unreachable: %s", url, exc)
                return self._verdict(False, f"unreachable robots.txt ({first})", _UNREACHABLE_TTL)
            if status == 429 or status >= 500:
                why = f"robots.txt answering {status} ({first})"
                return self._verdict(False, why, _UNREACHABLE_TTL)
            return self._verdict(True, f"no robots.txt ({status}) at {first}", _TTL)
        return self._verdict(True, f"robots.txt of {first} redirects too often", _TTL)

    def _parse(self, url: str, body: bytes) -> _Rules:
        text = body.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
        return _Rules(Protego.parse(text), True, f"robots.txt ({url})", self._clock() + _TTL)


async def _read_capped(response: httpx.Response, url: str) -> bytes:
    """The first ROBOTS_MAX_BYTES of the decoded body; the rest is not read.

    Reading also stops where the compressed stream ends, and past the raw cap.
    """
    decoder = BodyDecoder(content_encodings(response.headers), ROBOTS_MAX_BYTES, url, truncate=True)
    try:
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
            if decoder.ended:
                break
    except CapReached:
        return decoder.body()
    return decoder.finish()
