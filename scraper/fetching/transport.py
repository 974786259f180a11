"""The default transport: httpx's own, with every connection checked before it opens.

``GuardedTransport`` is ``httpx.AsyncHTTPTransport`` whose connection pool
opens sockets through :class:`GuardedBackend`.  For each new connection the
backend resolves the host through the injected :class:`Resolver` (a literal
address is read, never resolved), asks the address policy about every
address, and connects only to an address the policy allowed -- so the
address checked is the address connected to (no second DNS lookup that a
rebinding name could answer differently), and a refused address never sees
a SYN.  TLS still verifies the certificate against the host name (httpcore
sends the URL's host as SNI, not the address).

Behind a proxy (``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY`` with
``FetchConfig.trust_env``) we do not connect to the target: the proxy does.
The target's host is then resolved here and *every* address it resolves to
must pass the policy before the request is handed to the proxy; the proxy's
own address is not checked (you configured it).  The proxy resolves the name
again, so a name that changes its answer between the two lookups (DNS
rebinding) can still reach an inward address through the proxy: a proxy
that must not reach the internal network has to enforce that itself.  A name
that only the proxy can resolve fails here, unless the policy allows every
address (``--allow-network 0.0.0.0/0 --allow-network ::/0``), which skips
the lookup.

Replacing the pool relies on ``AsyncHTTPTransport._pool``, the one private
attribute of httpx we touch (httpx < 1 is pinned); the hostile tests fail if
it stops working.

``FetchConfig.transport="aiohttp"`` selects the other guarded transport
(aiohttp_transport.py), which applies :func:`allowed_addresses` in aiohttp's
resolver; both carry the :class:`AddressGuarded` marker, which tells the
fetcher that it need not guard their hops itself.  Proxied requests use
GuardedTransport with either.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
import urllib.request
from collections.abc import Iterable
from typing import Final

import httpcore
import httpx

from scraper.config import FetchConfig
from scraper.errors import BlockedAddress, ConfigError
from scraper.fetching.addresses import (
    NetworkPolicy,
    Resolver,
    literal_address,
    resolve_addresses,
)
from scraper.fetching.redirects import AddressPolicy

__all__ = [
    "AddressGuarded",
    "GuardedBackend",
    "GuardedTransport",
    "allowed_addresses",
    "environment_proxies",
    "policy_allows_all",
    "shared_ssl_context",
]

logger = logging.getLogger(__name__)

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def shared_ssl_context(config: FetchConfig) -> ssl.SSLContext:
    """The TLS context for ``config``'s transports, made once per process and settings.

    Why: making one loads the CA bundle, about 30 ms of CPU, and a crawl
    opens two fetchers (pages, and sitemaps and feeds) before its first page,
    ``scraper schedule`` more with each job.  A context is safe to share
    between connections and threads.  Keyed by what it is made of: the
    ``verify`` and ``trust_env`` settings, the certificate paths
    ``trust_env`` reads from the environment, and ``http2``, since httpcore
    sets the protocols offered (ALPN) on the context it is given.
    """
    paths = (
        (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if config.trust_env
        else (None, None)
    )
    return _ssl_context(config.verify, config.trust_env, config.http2, *paths)


#: PROCESS-WIDE CACHE (on purpose): one TLS context per combination of
#: settings (see ``shared_ssl_context``); a handful at most.
@functools.lru_cache(maxsize=16)
def _ssl_context(
    verify: bool, trust_env: bool, http2: bool, cert_file: str | None, cert_dir: str | None
) -> ssl.SSLContext:
    return httpx.create_ssl_context(verify=verify, trust_env=trust_env)


SocketOptions = Iterable[httpcore.SOCKET_OPTION] | None


def policy_allows_all(policy: AddressPolicy) -> bool:
    """Whether ``policy`` lets every address through (then nothing needs resolving)."""
    return isinstance(policy, NetworkPolicy) and policy.allows_all


def allowed_addresses(policy: AddressPolicy, host: str, addresses: Iterable[str]) -> list[str]:
    """The addresses of ``host`` that ``policy`` allows, in order.

    Raises the first refusal when none is allowed; the refused ones are
    otherwise skipped (a name with one public and one private address is
    reached at the public one only).
    """
    allowed: list[str] = []
    refused: list[BlockedAddress] = []
    for address in addresses:
        try:
            policy(host, address)
        except BlockedAddress as exc:
            refused.append(exc)
            continue
        allowed.append(address)
    if not allowed:
        if refused:
            raise refused[0]
        raise BlockedAddress(f"{host} resolves to no address to check", url=None)
    if refused:
        logger.info("%s: skipped %d refused address(es)", host, len(refused))
    return allowed


class AddressGuarded:
    """Marker: a transport that applies the address policy to every connection itself.

    The fetcher guards the hops of any other transport with HopGuard; one
    marked this way (GuardedTransport, GuardedAiohttpTransport) needs no help.
    """


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses the policy allows.

    ``inner`` opens the sockets (httpcore's anyio backend unless a test
    injects a recording one).  Of the addresses a name resolves to, the
    refused ones are skipped and the allowed ones tried in order; when none
    is allowed, the first refusal is raised and no socket is opened.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await resolve_addresses(self._resolver, host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"resolving {host} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        allowed = allowed_addresses(self._policy, host, addresses)
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in allowed:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                logger.debug("connecting to %s (%s) failed: %s", host, address, exc)
                failure = exc
        raise failure or httpcore.ConnectError(f"could not connect to {host}")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: SocketOptions = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress(f"Unix sockets are not fetched ({path})", url=None)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport, AddressGuarded):
    """httpx's transport with the address policy applied to every connection.

    Direct connections go through :class:`GuardedBackend`.  With ``proxy``,
    the target's addresses are checked before each request is sent to the
    proxy (see the module docstring for what that does and does not cover).
    """

    def __init__(
        self,
        config: FetchConfig,
        *,
        policy: AddressPolicy,
        resolver: Resolver,
        limits: httpx.Limits | None = None,
        proxy: str | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        limits = limits or httpx.Limits()
        ssl_context = shared_ssl_context(config)
        try:
            super().__init__(
                verify=ssl_context,
                trust_env=config.trust_env,
                http2=config.http2,
                limits=limits,
                proxy=proxy,
            )
        except (ImportError, ValueError) as exc:  # a SOCKS proxy without socksio, a bad scheme
            raise ConfigError(f"cannot use the proxy {proxy!r}: {exc}") from exc
        self._policy = policy
        self._resolver = resolver
        self._proxied = proxy is not None
        if proxy is None:
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                http1=True,
                http2=config.http2,
                network_backend=GuardedBackend(policy, resolver, network_backend),
            )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._proxied and not policy_allows_all(self._policy):
            await self._check_target(request)
        return await super().handle_async_request(request)

    async def _check_target(self, request: httpx.Request) -> None:
        """Every address of the target must pass: the proxy may connect to any of them."""
        host = request.url.host
        port = request.url.port or _DEFAULT_PORTS.get(request.url.scheme, 80)
        try:
            addresses = await resolve_addresses(self._resolver, host, port)
        except OSError as exc:
            raise httpx.ConnectError(
                f"cannot resolve {host} to check it before using the proxy: {exc}",
                request=request,
            ) from exc
        for address in addresses:
            self._policy(host, address)


def environment_proxies() -> dict[str, str | None]:
    """httpx mount patterns for the proxies the environment names (None: go direct).

    The same rules httpx applies with ``trust_env`` (``*_PROXY`` and
    ``NO_PROXY``, as curl reads them), read with the standard library.
    """
    info = urllib.request.getproxies()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        target = info.get(scheme)
        if target:
            mounts[f"{scheme}://"] = target if "://" in target else f"http://{target}"
    for entry in (part.strip() for part in info.get("no", "").split(",")):
        if entry == "*":
            return {}
        if not entry:
            continue
        if "://" in entry:
            mounts[entry] = None
        elif literal_address(entry.split("/", 1)[0]) is not None:
            mounts[f"all://[{entry}]" if ":" in entry else f"all://{entry}"] = None
        elif entry.lower() == "localhost":
            mounts[f"all://{entry}"] = None
        else:
            mounts[f"all://*{entry}"] = None
    return mounts
