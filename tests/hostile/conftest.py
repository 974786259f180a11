"""Fixtures for the hostile-web tests: the hostile server, the canary, a safe fetch.

* ``hostile``: a HostileServer on 127.0.0.1 serving the route table of
  ``cases.py`` (tests add their own routes); ``other``: a second origin.
* ``canary``: a server on 127.0.0.2 standing for an internal service.  It is
  never allowed by the tests' network policy, and the autouse fixture
  ``canary_untouched`` fails any test during which it accepted a connection.
* ``fetch(url, ...)``: one fetch with FAST settings (deadline <= 2 s, no
  politeness delay) allowing 127.0.0.1/32 only.  It goes through a
  GuardedTransport whose sockets are opened by ``net`` (a RecordingBackend):
  every connection attempt is recorded, and one to an address outside
  127.0.0.1-127.0.0.2 is refused by the test itself, so even a broken
  policy cannot send a packet off the loopback interface.
* ``FakeResolver``: names resolve where a test says (``inward.test`` ->
  127.0.0.2), no DNS traffic.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

import httpcore
import httpx
import pytest

from scraper.config import FetchConfig
from scraper.fetching.addresses import NetworkPolicy
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
    """Opens real sockets to 127.0.0.1/127.0.0.2 only, and records every attempt."""

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

    @property
    def hosts(self) -> list[str]:
        return [host for host, _port in self.attempts]


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
) -> GuardedTransport:
    """The default transport, with the test's recording backend opening the sockets."""
    return GuardedTransport(
        config,
        policy=policy if policy is not None else NetworkPolicy.from_config(config),
        resolver=resolver if resolver is not None else FakeResolver({}),
        network_backend=net,
    )


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
