"""Fixtures for the hostile-web tests: the hostile server, the canary, a safe fetch.

* Every test runs twice, once per transport (``FetchConfig.transport``:
  "httpx", "aiohttp"): the autouse fixture ``transport_kind`` sets it on
  ``FAST``, so every config the tests derive from FAST (``fetch``,
  ``guarded``, ``Fetcher(FAST)``) uses the transport under test.
* ``hostile``: a HostileServer on 127.0.0.1 serving the route table of
  ``cases.py`` (tests add their own routes); ``other``: a second origin.
* ``canary``: a server on 127.0.0.2 standing for an internal service.  It is
  never allowed by the tests' network policy, and the autouse fixture
  ``canary_untouched`` fails any test during which it accepted a connection.
* ``fetch(url, ...)``: one fetch with FAST settings (deadline <= 2 s, no
  politeness delay) allowing 127.0.0.1/32 only.  It goes through the
  guarded transport of the kind under test (``guarded``) whose sockets are
  opened by ``net`` (a RecordingBackend: httpcore's network backend, and
  aiohttp's socket factory): every connection attempt is recorded, and one
  to an address outside 127.0.0.1-127.0.0.2 is refused by the test itself,
  so even a broken policy cannot send a packet off the loopback interface.
* ``FakeResolver``: names resolve where a test says (``inward.test`` ->
  127.0.0.2), no DNS traffic.
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import Iterator, Sequence
from typing import Any

import httpcore
import httpx
import pytest

from scraper.config import FetchConfig
from scraper.fetching.addresses import NetworkPolicy
from scraper.fetching.aiohttp_transport import GuardedAiohttpTransport
from scraper.fetching.client import Fetcher
from scraper.fetching.transport import GuardedTransport
from scraper.models import Page
from tests.hostile.cases import ROUTES, reply, warm_bombs
from tests.hostile.server import HostileServer

#: Every hostile test's settings: short deadlines, one retry, no delay, our servers allowed.
FAST = FetchConfig(
    timeout=1.5,
    connect_timeout=1.0,
    read_timeout=1.0,
    retries=1,
    backoff=0.01,
    backoff_max=0.02,
    retry_after_cap=1.5,
    trust_env=False,  # no proxy from the environment unless a test sets one
    per_host_delay=0.0,
    robots_timeout=0.6,
    allow_networks=("127.0.0.1/32",),
)

#: Addresses a test connection may really go to (the hostile servers and the canary).
_LOOPBACK_OK = frozenset({"127.0.0.1", "127.0.0.2"})

#: The transports every hostile test runs on (FetchConfig.transport).
TRANSPORTS = ("httpx", "aiohttp")


class FakeResolver:
    """Resolves names from a table; records each question.

    A value that is a list of lists gives one answer per question, in turn
    (the last repeats): a name that rebinds between two lookups.
    """

    def __init__(self, table: dict[str, Sequence[str] | Sequence[Sequence[str]]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int) -> Sequence[str]:
        self.asked.append(host)
        answer = self.table.get(host)
        if answer is None:
            raise OSError(f"{host}: unknown to the test resolver")
        if answer and not isinstance(answer[0], str):
            turns = [list(a) for a in answer]
            return turns[min(self.asked.count(host) - 1, len(turns) - 1)]
        return [str(a) for a in answer]


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """Opens real sockets to 127.0.0.1/127.0.0.2 only, and records every attempt.

    httpcore connects through it (``connect_tcp``), aiohttp makes its
    sockets with it (``socket_factory``): one record for both transports.
    """

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        self.attempts.append((host, port))
        if host not in _LOOPBACK_OK:
            raise AssertionError(f"the test tried to open a socket to {host}:{port}")
        return await self._inner.connect_tcp(
            host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise AssertionError("no Unix sockets in tests")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def socket_factory(self, addr_info: tuple[Any, ...]) -> socket.socket:
        """aiohttp's socket factory: the socket of one connection attempt, recorded first."""
        family, kind, proto, _name, address = addr_info
        host, port = str(address[0]), int(address[1])
        self.attempts.append((host, port))
        if host not in _LOOPBACK_OK:
            raise AssertionError(f"the test tried to open a socket to {host}:{port}")
        return socket.socket(family, kind, proto)

    @property
    def hosts(self) -> list[str]:
        return [host for host, _port in self.attempts]


@pytest.fixture(autouse=True, params=TRANSPORTS)
def transport_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """The transport under test, set on FAST for the length of the test.

    FAST is a frozen constant the test modules import by name: it is changed
    in place (and restored), so that every config made from it follows.
    """
    kind = request.param
    before = FAST.transport
    object.__setattr__(FAST, "transport", kind)  # FAST is frozen: set it the way its __init__ does
    try:
        yield kind
    finally:
        object.__setattr__(FAST, "transport", before)


@pytest.fixture(scope="session")
def canary() -> Iterator[HostileServer]:
    """The internal service: 127.0.0.2, answering 200 to anything."""
    with HostileServer("127.0.0.2", fallback=reply(b"<p>internal secret</p>")) as srv:
        yield srv


@pytest.fixture(autouse=True)
def canary_untouched(canary: HostileServer) -> Iterator[None]:
    """Every hostile test ends with zero connections to the canary."""
    before = canary.connections
    seen = len(canary.requests)
    yield
    leaked = canary.requests[seen:]
    assert canary.connections == before, f"the canary was reached: {leaked}"


@pytest.fixture(scope="session")
def bombs() -> None:
    """Decompression bombs, built once before the first test that serves one."""
    warm_bombs()


@pytest.fixture
def hostile(bombs: None) -> Iterator[HostileServer]:
    with HostileServer() as srv:
        srv.routes(ROUTES)
        yield srv


@pytest.fixture
def other() -> Iterator[HostileServer]:
    """A second hostile server: another origin on 127.0.0.1."""
    with HostileServer() as srv:
        yield srv


@pytest.fixture
def net() -> RecordingBackend:
    return RecordingBackend()


def guarded(
    config: FetchConfig, net: RecordingBackend, resolver: Any = None, policy: Any = None
) -> GuardedTransport | GuardedAiohttpTransport:
    """The guarded transport ``config.transport`` names, opening its sockets through ``net``."""
    policy = policy if policy is not None else NetworkPolicy.from_config(config)
    resolver = resolver if resolver is not None else FakeResolver({})
    if config.transport == "aiohttp":
        return GuardedAiohttpTransport(
            config, policy=policy, resolver=resolver, socket_factory=net.socket_factory
        )
    return GuardedTransport(config, policy=policy, resolver=resolver, network_backend=net)


@pytest.fixture
def fetch(net: RecordingBackend):
    """``fetch(url, *, resolver=None, transport=None, **FetchConfig changes) -> Page``."""
    fields = {f.name for f in dataclasses.fields(FetchConfig)}

    def run(
        url: str,
        *,
        resolver: Any = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **changes: Any,
    ) -> Page:
        unknown = set(changes) - fields
        if unknown:
            raise TypeError(f"not FetchConfig fields: {unknown}")
        cfg = dataclasses.replace(FAST, **changes)
        resolver = resolver if resolver is not None else FakeResolver({})
        chosen = transport if transport is not None else guarded(cfg, net, resolver)

        async def go() -> Page:
            async with Fetcher(cfg, resolver=resolver, transport=chosen) as fetcher:
                return await fetcher.fetch(url)

        return asyncio.run(go())

    return run
