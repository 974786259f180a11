"""The aiohttp transport's own guard: its resolver, literal hosts, peer address, session.

The whole hostile suite runs on both transports (conftest.py); these tests
look at the glue between aiohttp and the address policy directly, so they
run on aiohttp only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import threading
import time
from collections.abc import Iterator

import aiohttp
import httpx
import pytest

from scraper.errors import BlockedAddress, ConfigError, HeadersTooLarge, NetworkError
from scraper.fetching.addresses import NetworkPolicy
from scraper.fetching.aiohttp_transport import (
    GuardedAiohttpTransport,
    PolicyResolver,
    _mapped_errors,
    parser_limits,
)
from scraper.fetching.client import Fetcher
from scraper.fetching.transport import AddressGuarded, GuardedTransport
from tests.hostile.cases import PAGE, head, reply
from tests.hostile.conftest import FAST, FakeResolver, guarded
from tests.hostile.server import Conn, Request
from tests.servers import TestServer, html, self_signed_certificate


@pytest.fixture(autouse=True)
def transport_kind() -> Iterator[str]:
    """These tests are about the aiohttp transport: FAST uses it (no httpx run)."""
    before = FAST.transport
    object.__setattr__(FAST, "transport", "aiohttp")
    try:
        yield "aiohttp"
    finally:
        object.__setattr__(FAST, "transport", before)


def _resolve(resolver: PolicyResolver, host: str, port: int = 80):
    return asyncio.run(resolver.resolve(host, port))


# -- the resolver: the policy applied to what aiohttp will connect to ---------------------


def test_resolver_returns_only_allowed_addresses_in_order():
    names = FakeResolver({"mixed.test": ["10.0.0.7", "127.0.0.1", "::1", "127.0.0.1"]})
    policy = NetworkPolicy(["127.0.0.1/32", "::1/128"])
    answers = _resolve(PolicyResolver(policy, names, 1.0), "mixed.test", 8080)
    assert [(a["host"], a["port"], a["family"]) for a in answers] == [
        ("127.0.0.1", 8080, socket.AF_INET),
        ("::1", 8080, socket.AF_INET6),
        ("127.0.0.1", 8080, socket.AF_INET),
    ]
    # aiohttp takes the TLS server name (SNI, certificate) from ``hostname``.
    assert {a["hostname"] for a in answers} == {"mixed.test"}
    assert names.asked == ["mixed.test"]


def test_resolver_refuses_a_name_with_no_allowed_address():
    names = FakeResolver({"inward.test": ["169.254.169.254", "192.168.1.1"]})
    with pytest.raises(BlockedAddress, match="cloud metadata"):
        _resolve(PolicyResolver(NetworkPolicy(["10.0.0.0/8"]), names, 1.0), "inward.test")


def test_resolver_reads_literals_without_asking():
    names = FakeResolver({})
    answers = _resolve(PolicyResolver(NetworkPolicy(["127.0.0.1/32"]), names, 1.0), "0x7f.1")
    assert [a["host"] for a in answers] == ["127.0.0.1"]
    with pytest.raises(BlockedAddress, match="loopback"):
        _resolve(PolicyResolver(NetworkPolicy(), names, 1.0), "2130706433")
    assert names.asked == []


def test_resolver_lookup_has_the_connect_timeout():
    class Stuck:
        async def resolve(self, host, port):
            await asyncio.sleep(10)
            return ["127.0.0.1"]

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        _resolve(PolicyResolver(NetworkPolicy(), Stuck(), 0.1), "stuck.test")
    assert time.monotonic() - started < 1.0


def test_name_resolving_inward_opens_no_socket(canary, fetch, net):
    names = FakeResolver({"inward.test": ["127.0.0.2"]})
    with pytest.raises(BlockedAddress, match=r"inward\.test \(127\.0\.0\.2\) is a loopback"):
        fetch(f"http://inward.test:{canary.port}/admin", resolver=names, obey_robots=False)
    assert names.asked == ["inward.test"]  # once: no second lookup by aiohttp
    assert net.attempts == []


def test_allowed_network_passes(hostile, fetch, net):
    names = FakeResolver({"site.test": ["127.0.0.1"]})
    page = fetch(f"http://site.test:{hostile.port}/gzip", resolver=names, obey_robots=False)
    assert page.content == PAGE
    assert page.address == "127.0.0.1"
    assert net.attempts == [("127.0.0.1", hostile.port)]
    assert names.asked == ["site.test"]  # self-guarding: no HopGuard lookup besides aiohttp's


def test_slow_lookup_is_a_connect_timeout_not_the_deadline(fetch):
    class Slow:
        async def resolve(self, host, port):
            await asyncio.sleep(5)
            return ["127.0.0.1"]

    started = time.monotonic()
    with pytest.raises(NetworkError, match="timed out"):
        fetch("http://slow.test/", resolver=Slow(), obey_robots=False, connect_timeout=0.2)
    assert time.monotonic() - started < 1.0  # two attempts of 0.2 s, then the error


def test_unknown_name_is_a_network_error(fetch, net):
    with pytest.raises(NetworkError, match=r"cannot resolve nowhere\.test"):
        fetch("http://nowhere.test/", resolver=FakeResolver({}), obey_robots=False)
    assert net.attempts == []


# -- literal hosts: aiohttp never resolves them, so they are checked before sending --------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.2",
        "2130706434",  # decimal
        "0x7f000002",  # hex
        "017700000002",  # octal
        "127.2",  # short
        "[::ffff:127.0.0.2]",  # IPv6-mapped
        "[::ffff:7f00:2]",
        "[64:ff9b::7f00:2]",  # NAT64
    ],
)
def test_literal_spellings_are_refused_without_a_socket(host, canary, net):
    transport = guarded(FAST, net)

    async def go():
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(f"http://{host}:{canary.port}/admin")

    with pytest.raises(BlockedAddress, match="refused by the network policy"):
        asyncio.run(go())
    assert net.attempts == []


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "127.1", "017700000001"])
def test_allowed_literal_spellings_connect_to_the_address_checked(host, hostile, net):
    # aiohttp would refuse the old numeric forms itself (127.1): they go out canonical,
    # and the Host header keeps the URL's spelling.
    hostile.route("/page", reply(PAGE))
    transport = guarded(FAST, net)

    async def go():
        async with httpx.AsyncClient(transport=transport) as client:
            return await client.get(f"http://{host}:{hostile.port}/page")

    response = asyncio.run(go())
    assert response.content == PAGE
    assert net.attempts == [("127.0.0.1", hostile.port)]
    (seen,) = hostile.requests
    assert seen.headers["host"] == f"{host}:{hostile.port}"


def test_policy_is_asked_about_literals_before_every_request(net):
    """A literal host is checked per request, on a reused connection too (httpx: per connection)."""
    calls = []

    def policy(host, address):
        calls.append((host, address))

    transport = guarded(FAST, net, policy=policy)
    with TestServer() as server:  # keeps connections alive
        server.route("/a", html("<p>a</p>"))

        async def go():
            async with httpx.AsyncClient(transport=transport) as client:
                for _ in range(2):
                    await client.get(server.url("/a"))

        asyncio.run(go())
    assert calls == [("127.0.0.1", "127.0.0.1")] * 2
    assert len(net.attempts) == 1


# -- what the fetcher reads from the response -----------------------------------------------


def test_peer_address_is_known_for_an_empty_body(hostile):
    # aiohttp lets go of the connection as soon as an empty body is complete.
    hostile.route("/same", reply(b"", status=304))
    cfg = dataclasses.replace(FAST, obey_robots=False)

    async def go():
        async with Fetcher(cfg, resolver=FakeResolver({})) as fetcher:
            return await fetcher.fetch(hostile.url("/same"), headers={"If-None-Match": '"x"'})

    page = asyncio.run(go())
    assert page.status == 304
    assert page.address == "127.0.0.1"


def test_http_version_and_reason_reach_httpx(hostile, net):
    teapot = head(418, [("Content-Length", "0")], reason="Tea")
    hostile.route("/teapot", lambda c, r: c.send(teapot))

    async def go():
        async with httpx.AsyncClient(transport=guarded(FAST, net)) as client:
            return await client.get(hostile.url("/teapot"))

    response = asyncio.run(go())
    assert (response.status_code, response.reason_phrase) == (418, "Tea")
    assert response.http_version == "HTTP/1.1"


def test_credentials_in_the_url_go_as_the_authorization_header(hostile, net):
    # httpx turns them into the header; aiohttp refused a request with both
    # (a hypothesis case: a redirect to "HTTP://0@A").
    hostile.route("/private", reply(PAGE))
    url = hostile.url("/private").replace("http://", "http://user:secret@", 1)

    async def go():
        async with httpx.AsyncClient(transport=guarded(FAST, net)) as client:
            return await client.get(url)

    response = asyncio.run(go())
    assert response.status_code == 200
    (request,) = [r for r in hostile.requests if r.path == "/private"]
    assert request.headers["authorization"] == "Basic dXNlcjpzZWNyZXQ="  # user:secret
    assert request.target == "/private"


def test_head_over_the_line_limit_is_headers_too_large(hostile, fetch):
    limit = parser_limits(FAST).line
    hostile.route(
        "/long-line",
        lambda c, r: c.send(head(200, [("X-Long", "v" * (limit + 10)), ("Content-Length", "0")])),
    )
    with pytest.raises(HeadersTooLarge, match="100 KiB"):
        fetch(hostile.url("/long-line"), obey_robots=False)
    assert hostile.hits("/long-line") == 1  # not retried


def test_aiohttp_does_not_retry_on_its_own(hostile, fetch):
    with pytest.raises(NetworkError):
        fetch(hostile.url("/close-before-answer"), obey_robots=False, retries=0)
    assert hostile.hits("/close-before-answer") == 1


def test_blocked_address_wrapped_by_aiohttp_comes_out_as_it_is():
    refusal = BlockedAddress("inward.test (10.0.0.1) is a private address", url=None)
    with pytest.raises(BlockedAddress) as info, _mapped_errors("http://x/", parser_limits(FAST)):
        raise aiohttp.ClientConnectionError("cannot connect") from refusal
    assert info.value is refusal


# -- the session: made in the loop, shared, bounded, closed --------------------------------


def test_session_is_made_lazily_and_closed(hostile, net):
    transport = guarded(FAST, net)  # no running loop here: nothing may need one yet
    assert isinstance(transport, AddressGuarded)
    hostile.route("/a", reply(PAGE))

    async def go():
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(hostile.url("/a"))
            session = transport._session
            assert session is not None
        return session

    session = asyncio.run(go())
    assert session.closed
    assert transport._session is None


def test_concurrent_fetches_share_one_session_within_the_connection_limit(hostile, monkeypatch):
    lock = threading.Lock()
    active = [0, 0]  # now, most at once

    def slow(conn: Conn, request: Request) -> None:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        try:
            conn.wait(0.15)
            reply(PAGE)(conn, request)
        finally:
            with lock:
                active[0] -= 1

    hostile.route("/slow", slow)
    opened = []
    real_open = GuardedAiohttpTransport._open_session

    def counting_open(self):
        opened.append(self)
        return real_open(self)

    monkeypatch.setattr(GuardedAiohttpTransport, "_open_session", counting_open)
    cfg = dataclasses.replace(FAST, concurrency=1, obey_robots=False, timeout=5.0)

    async def go():
        async with Fetcher(cfg, resolver=FakeResolver({})) as fetcher:
            urls = [hostile.url(f"/slow?{i}") for i in range(6)]
            return await asyncio.gather(*(fetcher.fetch(u) for u in urls))

    pages = asyncio.run(go())
    assert [p.content for p in pages] == [PAGE] * 6
    assert len(opened) == 1
    assert active[1] == 2  # concurrency 1: a pool of 2 connections (one spare for robots.txt)


# -- configuration ------------------------------------------------------------------------------


def test_fetcher_builds_the_transport_the_config_names():
    async def go(kind):
        async with Fetcher(dataclasses.replace(FAST, transport=kind)) as fetcher:
            return type(fetcher._client._transport)

    assert asyncio.run(go("aiohttp")) is GuardedAiohttpTransport
    assert asyncio.run(go("httpx")) is GuardedTransport


def test_unknown_transport_is_a_config_error():
    with pytest.raises(ConfigError, match="give 'httpx' or 'aiohttp'"):
        Fetcher(dataclasses.replace(FAST, transport="curl"))  # type: ignore[arg-type]


def test_http2_needs_the_httpx_transport():
    with pytest.raises(ConfigError, match="needs the httpx transport"):
        Fetcher(dataclasses.replace(FAST, transport="aiohttp", http2=True))


def test_http2_is_accepted_by_the_httpx_transport():
    Fetcher(dataclasses.replace(FAST, transport="httpx", http2=True))  # no ConfigError


# -- TLS: the same SSL context as httpx, the host name as SNI and as the certificate's name ------


def test_tls_verifies_the_host_name_and_sends_it_as_sni(tmp_path, monkeypatch):
    context, cert_path = self_signed_certificate(tmp_path, "tls.test")
    cert = str(cert_path)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    for variable in list(os.environ):
        if variable.lower().endswith("_proxy"):
            monkeypatch.delenv(variable)
    monkeypatch.setenv("SSL_CERT_FILE", cert)  # trusted through trust_env, as httpx reads it
    resolver = FakeResolver({"tls.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    cfg = dataclasses.replace(FAST, trust_env=True, obey_robots=False)
    with TestServer(tls=context) as server:
        server.route("/", html("<p>secure</p>"))

        async def go(host):
            async with Fetcher(cfg, resolver=resolver) as fetcher:
                return await fetcher.fetch(f"https://{host}:{server.port}/")

        assert asyncio.run(go("tls.test")).text == "<p>secure</p>"
        assert names == ["tls.test"]
        with pytest.raises(NetworkError, match="TLS"):  # the certificate names another host
            asyncio.run(go("other.test"))
        assert names[-1] == "other.test"
