"""The fetcher: one httpx.AsyncClient, a total deadline, retries, redirects, caps.

Usage::

    async with Fetcher(config) as fetcher:
        page = await fetcher.fetch("https://example.org/")

One fetch is: for each redirect hop, check the scheme, the URL's length and
robots.txt, send the request (retried on timeouts, connection errors, 429 and
5xx, within the host's retry budget) through a transport that connects only
to addresses the address policy allows (httpx's own, or aiohttp's with
``FetchConfig.transport="aiohttp"``), and either follow the ``Location``
or stream the raw body through our own bounded decompression under the size
cap, gate its type and decode its characters.  All of it -- resolving,
connecting, waiting for headers, reading, redirects and the waits between
retries -- runs under one deadline (``FetchConfig.timeout``), so a server
trickling a byte a second cannot hold us past it.

The fetcher does not follow ``<meta http-equiv="refresh">`` (nor JavaScript
redirects): the page that carries one is the page returned, so there is no
meta-refresh loop to detect.

httpx errors are mapped to the :mod:`scraper.errors` tree here, at the
boundary; nothing httpx-specific escapes (the aiohttp transport turns
aiohttp's errors into httpx's first).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Final, Self
from urllib.parse import urlsplit

import httpx
from tenacity import AsyncRetrying

from scraper.config import FetchConfig
from scraper.errors import (
    BodyTooLarge,
    ConfigError,
    DeadlineExceeded,
    FetchError,
    HeadersTooLarge,
    HTTPStatusError,
    TooManyRedirects,
    TruncatedBody,
)
from scraper.fetching.addresses import NetworkPolicy, Resolver, SystemResolver
from scraper.fetching.charset import decode_document
from scraper.fetching.content import check_content, check_declared
from scraper.fetching.cookies import use_quick_cookies
from scraper.fetching.decoding import BodyDecoder, split_encodings
from scraper.fetching.httpx_errors import map_body_error, map_httpx_error
from scraper.fetching.redirects import (
    REDIRECT_STATUSES,
    AddressPolicy,
    HopGuard,
    check_scheme,
    cookie_header,
    drain,
    keep_location,
    location,
    may_send_credentials,
    normalized,
    peer_address,
    redirect_method,
    redirect_target,
    trusted_headers,
)
from scraper.fetching.retry import (
    RETRY_AFTER_STATUSES,
    Retryable,
    RetryBudget,
    check_retry_after,
    make_retrying,
    parse_retry_after,
    retry_after_first,
    retryable_status,
)
from scraper.fetching.robots import RobotsCache
from scraper.fetching.transport import AddressGuarded, GuardedTransport, environment_proxies
from scraper.models import Page

__all__ = ["AddressPolicy", "Fetcher", "check_transport"]

logger = logging.getLogger(__name__)

#: Idle keep-alive connections are closed after this many seconds.
_KEEPALIVE_EXPIRY: Final = 30.0
#: A compressed body cut short after this many raw bytes without decoding to a
#: single byte is not retried.  Real streams decode well before: a deflate or
#: brotli block, or a zstd block (at most 128 KiB), yields its output at once.
_BARREN_RAW: Final = 256 * 1024


@dataclass(frozen=True, slots=True)
class _Redirect:
    """A hop that points elsewhere; its body is not read."""

    status: int
    location: str


@dataclass(frozen=True, slots=True)
class _Final:
    """The last hop: the response head and its (decoded, capped) body."""

    status: int
    headers: dict[str, str]
    content: bytes
    content_type: str
    address: str | None


class Fetcher:
    """Fetches pages politely through one connection-pooling httpx client.

    ``robots`` replaces the RobotsCache the fetcher would build on its own
    client (share one between fetchers, or pre-load it in tests).

    ``address_policy`` decides which addresses may be reached (default: a
    :class:`~scraper.fetching.addresses.NetworkPolicy` built from
    ``config.allow_networks``, which refuses loopback, private, link-local,
    metadata... addresses); it raises :class:`BlockedAddress` to refuse.
    ``resolver`` turns host names into addresses (default: the system's).

    ``transport`` replaces the transport ``config.transport`` names (a
    :class:`GuardedTransport`, or a
    :class:`~scraper.fetching.aiohttp_transport.GuardedAiohttpTransport`
    for "aiohttp").  One of those you build yourself enforces the policy and
    resolver it was built with.  Any other transport (httpx-aiohttp's...)
    connects on its own, so the fetcher checks each hop itself: the host's
    resolved addresses before the request, the connected address once known
    -- and a transport that does not report it (``network_stream``
    extension) fails closed with BlockedAddress.  See HopGuard.  Environment
    proxies are only used without a ``transport``; they are reached through
    a GuardedTransport whichever ``config.transport`` is.

    Raises ConfigError for a bad ``config.allow_networks`` or
    ``config.transport`` (or "aiohttp" when aiohttp is not installed).

    The constructor does no I/O: the client is made on ``__aenter__`` and
    closed on ``__aexit__``.  One Fetcher may run many fetches concurrently.
    """

    def __init__(
        self,
        config: FetchConfig,
        *,
        robots: RobotsCache | None = None,
        address_policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = config
        self._given_robots = robots
        self._robots = robots
        self._policy: AddressPolicy = (
            address_policy if address_policy is not None else NetworkPolicy.from_config(config)
        )
        # A resolver we make is ours to close; one passed in belongs to the caller.
        self._own_resolver: SystemResolver | None = None
        if resolver is None:
            resolver = self._own_resolver = SystemResolver()
        self._resolver: Resolver = resolver
        check_transport(config)
        self._transport = transport
        # Hops through a transport that does not guard its connections are guarded by HopGuard.
        self._hop_policy = (
            None if transport is None or isinstance(transport, AddressGuarded) else self._policy
        )
        self._budget = RetryBudget(config)
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> Self:
        if self._client is not None:
            raise RuntimeError("this Fetcher is already open")
        self._client = self._make_client()
        if self._robots is None:
            self._robots = RobotsCache(
                self._config,
                self._client,
                address_policy=self._hop_policy,
                resolver=self._resolver,
            )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        client, self._client = self._client, None
        self._robots = self._given_robots
        if client is not None:
            await client.aclose()
        if self._own_resolver is not None:
            self._own_resolver.close()  # made again on the next lookup, if the fetcher is reused

    @property
    def robots(self) -> RobotsCache | None:
        """The robots.txt cache in use (None before ``__aenter__``)."""
        return self._robots

    def _make_client(self) -> httpx.AsyncClient:
        cfg = self._config
        accept = ",".join((*cfg.accept_types, "*/*;q=0.1"))
        # Each fetch holds at most one connection at a time (hops run one
        # after another), so twice the overall concurrency leaves room for
        # robots.txt requests.  Waiting for the pool counts against the deadline.
        pool = max(1, cfg.concurrency) * 2
        limits = httpx.Limits(
            max_connections=pool,
            max_keepalive_connections=pool,
            keepalive_expiry=_KEEPALIVE_EXPIRY,
        )
        transport = self._transport
        mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
        if transport is None:
            transport = self._guarded(limits)
            # httpx mounts environment proxies only without a custom transport,
            # and ours is one: mount them ourselves, guarded the same way
            # (by httpx's transport: aiohttp's never goes through a proxy).
            for pattern, proxy in (environment_proxies() if cfg.trust_env else {}).items():
                mounts[pattern] = None if proxy is None else self._proxied(proxy, limits)
        client = httpx.AsyncClient(
            http2=cfg.http2,
            trust_env=cfg.trust_env,
            verify=cfg.verify,
            headers={"User-Agent": cfg.user_agent, "Accept": accept},
            follow_redirects=False,
            event_hooks={"response": [keep_location]},
            timeout=httpx.Timeout(
                connect=cfg.connect_timeout,
                read=cfg.read_timeout,
                write=cfg.read_timeout,
                pool=None,
            ),
            limits=limits,
            transport=transport,
            mounts=mounts,
        )
        use_quick_cookies(client)
        return client

    def _guarded(self, limits: httpx.Limits) -> httpx.AsyncBaseTransport:
        """The self-guarding transport ``config.transport`` names."""
        cfg = self._config
        if cfg.transport == "aiohttp":
            from scraper.fetching.aiohttp_transport import GuardedAiohttpTransport

            return GuardedAiohttpTransport(
                cfg, policy=self._policy, resolver=self._resolver, limits=limits
            )
        return GuardedTransport(cfg, policy=self._policy, resolver=self._resolver, limits=limits)

    def _proxied(self, proxy: str, limits: httpx.Limits) -> GuardedTransport:
        return GuardedTransport(
            self._config, policy=self._policy, resolver=self._resolver, limits=limits, proxy=proxy
        )

    async def fetch(self, url: str, *, headers: dict[str, str] | None = None) -> Page:
        """GET ``url``, following redirects, and return the decoded final page.

        ``headers`` are sent on every hop of this one request, after the
        configured ones: a crawl passes ``If-None-Match`` / ``If-Modified-Since``
        here for a conditional GET, and a ``304 Not Modified`` answer then comes
        back as a Page with status 304 and an empty body (not an error).

        Raises a :class:`FetchError` subclass: DeadlineExceeded, NetworkError
        (TruncatedBody), HTTPStatusError (RetryLaterError), TooManyRedirects,
        BodyTooLarge, HeadersTooLarge, ContentEncodingError,
        UnsupportedContent, RobotsDisallowed, BlockedAddress (which is also
        raised for a URL or redirect that is not http or https) or InvalidURL.
        """
        client = self._client
        if client is None:
            raise RuntimeError("use the Fetcher as `async with Fetcher(config) as f:`")
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + self._config.timeout
        try:
            async with asyncio.timeout_at(deadline):
                page = await self._follow(client, url, deadline, headers or {}, started)
        except FetchError as exc:
            if exc.url is None:  # raised where only the host was known (address policy)
                exc.url = url
            raise
        except TimeoutError as exc:
            raise DeadlineExceeded(
                f"fetching {url} took longer than the {self._config.timeout:g} s deadline; "
                "the server is too slow (raise FetchConfig.timeout to wait longer)",
                url=url,
            ) from exc
        logger.debug(
            "fetched %s -> %s (%d) in %.2f s", url, page.final_url, page.status, page.elapsed
        )
        return page

    async def _follow(
        self,
        client: httpx.AsyncClient,
        url: str,
        deadline: float,
        extra: dict[str, str],
        started: float,
    ) -> Page:
        """Walk the redirect chain hop by hop and build the Page of the last one.

        ``started`` is the loop time the fetch began: the Page is built once,
        with its ``elapsed``, rather than copied to add it.
        """
        counts: Counter[str] = Counter()
        max_length = self._config.max_url_length
        # ``parsed``: the request URL of ``current`` when normalising gave it for free.
        current, parsed = normalized(url, max_length)
        method = "GET"
        hops = [current]
        seen = {(current, _cookie_state(client))}
        while True:
            if parsed is None:
                # Else ``normalized`` checked this very text already (``parsed``
                # is only given when its text is ``current``).
                check_scheme(current)
            if self._config.obey_robots and self._robots is not None:
                await self._robots.check(current)
            hop = await self._request(client, method, current, parsed, url, deadline, counts, extra)
            if isinstance(hop, _Final):
                break
            target, parsed = normalized(redirect_target(current, hop.location), max_length)
            if len(hops) > self._config.max_redirects:
                raise TooManyRedirects(
                    f"{url} redirected more than {self._config.max_redirects} times; "
                    "the site may be broken (raise FetchConfig.max_redirects to follow more)",
                    url=url,
                )
            # The same URL twice is a loop unless a cookie set on the way changed things.
            state = (target, _cookie_state(client))
            if state in seen:
                chain = " -> ".join([*hops, target])
                raise TooManyRedirects(
                    f"redirect loop: {chain}; the site is broken for this client", url=url
                )
            seen.add(state)
            logger.debug("%s redirects (%d) to %s", current, hop.status, target)
            hops.append(target)
            current = target
            method = redirect_method(method, hop.status)

        text, encoding, source = decode_document(
            hop.content, hop.headers.get("content-type"), url=current
        )
        return Page(
            url=url,
            final_url=current,
            status=hop.status,
            headers=hop.headers,
            content=hop.content,
            text=text,
            encoding=encoding,
            encoding_source=source,
            content_type=hop.content_type,
            redirects=tuple(hops),
            address=hop.address,
            retries=dict(counts),
            elapsed=asyncio.get_running_loop().time() - started,
        )

    async def _request(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        parsed: httpx.URL | None,
        first_url: str,
        deadline: float,
        counts: Counter[str],
        extra: dict[str, str],
    ) -> _Redirect | _Final:
        """One hop, retried on transient failures.

        ``parsed`` is ``httpx.URL(url)`` when the caller has it (see
        ``redirects.normalized``): the request then skips parsing ``url`` again.
        """
        loop = asyncio.get_running_loop()

        def remaining() -> float:
            return deadline - loop.time()

        # The caller's per-fetch headers follow the same rule as the configured ones.
        configured = [*self._config.headers, *extra.items()]
        # A URL is always its own origin: the first hop needs no parsing to know.
        trusted = url == first_url or may_send_credentials(first_url, url)
        headers = trusted_headers(configured, trusted=trusted)
        budget = self._budget
        attempts = 0

        def earn() -> None:
            # The host is only needed when it has spent some of its budget;
            # on a crawl without retries that is never, so it is not parsed.
            if budget.spent:
                budget.earn(urlsplit(url).hostname or "")

        async def attempt() -> _Redirect | _Final:
            nonlocal attempts
            attempts += 1
            guard = HopGuard(self._hop_policy, self._resolver, url)
            await guard.preflight()
            request = client.build_request(
                method,
                url if parsed is None else parsed,
                headers=headers,
                extensions=guard.extensions,
            )
            if not trusted:
                # The client's jar matches cookies by host only (as RFC 6265 says),
                # so a cookie set on the way would go to another port, or from
                # http to https: no cookie leaves the first URL's origin.
                request.headers.pop("cookie", None)
            elif self._config.cookies:
                existing = request.headers.get("cookie")
                value = cookie_header(self._config.cookies, existing)
                if value is not None:
                    request.headers["Cookie"] = value
            try:
                response = await client.send(request, stream=True)
                try:
                    guard.check_response(response)
                    result = await self._read(response, url, remaining)
                finally:
                    await response.aclose()
            except httpx.HTTPError as exc:
                mapped = map_httpx_error(exc, url)
                if isinstance(mapped, Retryable):
                    mapped.error.__cause__ = exc  # kept when it is raised after the last retry
                elif attempts == 1:
                    earn()  # the host answered; the request was the problem
                raise mapped from exc
            except FetchError:
                if attempts == 1:
                    earn()
                raise
            if attempts == 1:
                earn()
            return result

        def retrying() -> AsyncRetrying:
            return make_retrying(
                self._config, remaining=remaining, counts=counts, url=url, budget=budget
            )

        return await retry_after_first(attempt, retrying)

    async def _read(
        self, response: httpx.Response, url: str, remaining: Callable[[], float]
    ) -> _Redirect | _Final:
        """Judge one response: redirect, retryable, error, or a body to read."""
        cfg = self._config
        address = peer_address(response)
        head_size = sum(len(name) + len(value) + 4 for name, value in response.headers.raw)
        if head_size > cfg.max_header_bytes:
            raise HeadersTooLarge(
                f"{url} sent {head_size} bytes of response headers, over the "
                f"{cfg.max_header_bytes} byte cap (FetchConfig.max_header_bytes); "
                "the server is broken or hostile",
                url=url,
            )
        status = response.status_code
        if status in REDIRECT_STATUSES and (target := location(response)):
            await drain(response)
            return _Redirect(status, target)
        if status == 304:
            # Only a conditional GET gets this: "what you have is current".
            # No body, no content type to gate: the caller keeps its copy.
            await drain(response)
            return _Final(status, _header_dict(response), b"", "", address)
        if status >= 400:
            await drain(response)
        if retryable_status(status):
            retry_after = None
            if status in RETRY_AFTER_STATUSES:
                now = dt.datetime.now(dt.UTC)
                retry_after = parse_retry_after(response.headers.get("retry-after"), now)
            failure = Retryable(_status_error(response, url), str(status), retry_after)
            check_retry_after(failure, cfg, remaining())
            raise failure
        if status >= 400:
            raise _status_error(response, url)

        # One pass over the head, then dict lookups: each ``Headers.get`` is a
        # scan of every header line.
        headers = _header_dict(response)
        content_type = headers.get("content-type")
        check_declared(content_type, cfg.accept_types, url)
        codings = split_encodings(headers.get("content-encoding"))
        declared_size = headers.get("content-length", "").strip()
        # Without content-encoding the decoded size is known up front.
        if not codings and declared_size.isdigit() and int(declared_size) > cfg.max_size:
            raise _too_large(url, cfg.max_size, f"Content-Length is {declared_size}")
        content = await _read_capped(response, url, cfg.max_size, codings)
        kind = check_content(content, content_type, cfg.accept_types, url)
        return _Final(status, headers, content, kind, address)


def _header_dict(response: httpx.Response) -> dict[str, str]:
    """The response headers by lower-case name; a repeated header's values joined by ", ".

    That is what ``response.headers.get(name)`` answers for each name
    (``Headers.items`` joins repeats the same way).
    """
    return {name.lower(): value for name, value in response.headers.items()}


async def _read_capped(response: httpx.Response, url: str, cap: int, codings: list[str]) -> bytes:
    """The decoded body, decompressed by us in bounded steps, stopping past ``cap`` bytes.

    Reading stops where the compressed stream ends (junk after it is not
    read) and past the raw cap (padding that decodes to nothing).
    """
    decoder = BodyDecoder(codings, cap, url)
    try:
        async for chunk in response.aiter_raw():
            decoder.feed(chunk)
            if decoder.ended:
                break
    except httpx.HTTPError as exc:
        raise map_body_error(exc, url) from exc
    try:
        return decoder.finish()
    except TruncatedBody as exc:
        if decoder.size == 0 and decoder.raw_size > _BARREN_RAW:
            # Hundreds of KiB that decoded to nothing are not worth a second
            # download: such a stream is built that way (an endless gzip
            # header, padding), not cut by the network.
            raise
        raise Retryable(exc, "truncated") from exc  # cut mid-body: as retryable as a reset


def check_transport(config: FetchConfig) -> None:
    """Raise ConfigError unless ``config.transport`` names a transport we can build.

    The aiohttp transport's module is imported here (about 0.1 s): a caller
    that knows it will fetch (a crawl) calls this as it is set up.
    """
    if config.transport == "httpx":
        return
    if config.transport != "aiohttp":
        raise ConfigError(
            f"unknown transport {config.transport!r} (FetchConfig.transport): "
            "give 'httpx' or 'aiohttp'"
        )
    if config.http2:
        raise ConfigError(
            "HTTP/2 (FetchConfig.http2) needs the httpx transport; the aiohttp "
            "transport speaks HTTP/1.1 only: set transport='httpx' to offer HTTP/2"
        )
    try:
        import scraper.fetching.aiohttp_transport  # noqa: F401 (only: can it be imported?)
    except ImportError as exc:
        raise ConfigError(
            f"the aiohttp transport needs the aiohttp package ({exc}); install it "
            "(pip install aiohttp) or use FetchConfig.transport='httpx'"
        ) from exc


def _too_large(url: str, cap: int, detail: str) -> BodyTooLarge:
    return BodyTooLarge(
        f"{url} is larger than the {cap} byte cap ({detail}); "
        "raise it with --max-size (FetchConfig.max_size) if you need this page",
        url=url,
    )


def _status_error(response: httpx.Response, url: str) -> HTTPStatusError:
    status = response.status_code
    hint = "try again later" if status == 429 or status >= 500 else "check the URL"
    return HTTPStatusError(
        f"{url} answered {status} {response.reason_phrase}; {hint}", url=url, status=status
    )


def _cookie_state(client: httpx.AsyncClient) -> tuple[tuple[str, str, str, str], ...]:
    return tuple(sorted((c.domain, c.path, c.name, c.value or "") for c in client.cookies.jar))
