"""Addresses: nothing reaches loopback, private, link-local, metadata... unless allowed.

The tests allow 127.0.0.1/32 (their servers); the canary on 127.0.0.2 stands
for an internal service.  Names resolve through FakeResolver and sockets open
through RecordingBackend (conftest.py), so a name pointing at a private or
link-local address is refused without a packet leaving, and the test checks
that no connection was even attempted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os

import httpx
import pytest

from scraper.errors import BlockedAddress, InvalidURL, RobotsDisallowed
from scraper.fetching.client import Fetcher
from tests.hostile.cases import PAGE, head, reply
from tests.hostile.conftest import FAST, FakeResolver
from tests.hostile.server import Conn, Request


def _redirect_to(location: str):
    def handler(conn: Conn, request: Request) -> None:
        conn.send(head(302, [("Location", location), ("Content-Length", "0")]))

    return handler


def test_direct_request_to_the_canary(canary, fetch, net):
    with pytest.raises(BlockedAddress, match="loopback") as info:
        fetch(canary.url("/admin"))
    assert info.value.url == canary.url("/admin")
    assert net.attempts == []


def test_redirect_to_the_canary(hostile, canary, fetch, net):
    hostile.route("/go", _redirect_to(canary.url("/admin")))
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2"):
        fetch(hostile.url("/go"), obey_robots=False)
    assert net.hosts == ["127.0.0.1"]


@pytest.mark.parametrize(
    "spelling",
    [
        "2130706434",  # decimal
        "0x7f000002",  # one hex number
        "0x7f.0.0.2",  # hex part
        "0177.0.0.02",  # octal parts (httpx refuses this one as a URL)
        "127.2",  # short form
        "127.0.2",  # three parts
        "127.0.0.2.",  # trailing dot
        "[::ffff:127.0.0.2]",  # IPv6-mapped
        "[::ffff:7f00:2]",  # IPv6-mapped, hex
        "[64:ff9b::7f00:2]",  # NAT64 well-known prefix
        "[2002:7f00:2::1]",  # 6to4
    ],
)
def test_other_spellings_of_the_canary(spelling, hostile, canary, fetch, net):
    hostile.route("/go", _redirect_to(f"http://{spelling}:{canary.port}/admin"))
    with pytest.raises((BlockedAddress, InvalidURL)) as info:
        fetch(hostile.url("/go"), obey_robots=False)
    if isinstance(info.value, InvalidURL):  # refused before any address is read
        assert "not a valid" in str(info.value)
    else:
        assert "refused by the network policy" in str(info.value)
    assert net.hosts == ["127.0.0.1"]


def test_a_name_resolving_to_the_canary(hostile, canary, fetch, net):
    resolver = FakeResolver({"intranet.test": ["127.0.0.2"]})
    hostile.route("/go", _redirect_to(f"http://intranet.test:{canary.port}/admin"))
    with pytest.raises(BlockedAddress, match=r"intranet\.test \(127\.0\.0\.2\) is a loopback"):
        fetch(hostile.url("/go"), resolver=resolver, obey_robots=False)
    assert resolver.asked == ["intranet.test"]
    assert net.hosts == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.100.100.200", "cloud metadata"),
        ("192.0.0.192", "cloud metadata"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("fc00::1", "unique local"),
        ("100.64.0.1", "shared address space"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("255.255.255.255", "reserved"),
        ("::ffff:10.0.0.1", "private"),
    ],
)
def test_names_resolving_inward_never_get_a_socket(address, reason, fetch, net):
    resolver = FakeResolver({"inward.test": [address]})
    with pytest.raises(BlockedAddress, match=reason):
        fetch("http://inward.test/latest/meta-data/", resolver=resolver)
    assert net.attempts == []  # robots.txt included: nothing was opened


def test_metadata_stays_refused_inside_an_allowed_network(fetch, net):
    resolver = FakeResolver({"meta.test": ["169.254.169.254"]})
    with pytest.raises(BlockedAddress, match="cloud metadata"):
        fetch(
            "http://meta.test/",
            resolver=resolver,
            allow_networks=("127.0.0.1/32", "169.254.0.0/16"),
        )
    assert net.attempts == []


def test_only_allowed_addresses_of_a_mixed_answer_are_used(hostile, fetch, net):
    resolver = FakeResolver({"mixed.test": ["10.0.0.7", "127.0.0.2", "127.0.0.1"]})
    page = fetch(f"http://mixed.test:{hostile.port}/gzip", resolver=resolver, obey_robots=False)
    assert page.content == PAGE
    assert page.address == "127.0.0.1"
    assert net.hosts == ["127.0.0.1"]


def test_dns_rebinding_between_hops_is_caught(hostile, canary, fetch, net):
    # First lookup: the allowed server; the next one: the canary's address.
    resolver = FakeResolver({"rebind.test": [["127.0.0.1"], ["127.0.0.2"]]})
    hostile.route("/first", _redirect_to(f"http://rebind.test:{canary.port}/second"))
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2"):
        fetch(f"http://rebind.test:{hostile.port}/first", resolver=resolver, obey_robots=False)
    assert resolver.asked == ["rebind.test", "rebind.test"]
    assert net.hosts == ["127.0.0.1"]


def test_robots_txt_redirecting_inward(hostile, canary, fetch, net):
    # The hop is refused, so robots.txt is unreachable: disallowed for now (RFC 9309).
    hostile.route("/robots.txt", _redirect_to(canary.url("/robots.txt")))
    with pytest.raises(RobotsDisallowed, match="unreachable"):
        fetch(hostile.url("/page"))
    assert hostile.hits("/page") == 0
    assert net.hosts == ["127.0.0.1"]


@pytest.mark.parametrize(
    "location",
    [
        "file:///etc/passwd",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.2:70/_stats",
        "data:text/html,<p>hi",
        "dict://127.0.0.2:11211/stats",
    ],
)
def test_only_http_and_https_schemes(location, hostile, fetch):
    hostile.route("/go", _redirect_to(location))
    with pytest.raises(BlockedAddress, match="only http and https"):
        fetch(hostile.url("/go"), obey_robots=False)


def test_protocol_relative_redirect_inward(hostile, canary, fetch):
    hostile.route("/go", _redirect_to(f"//127.0.0.2:{canary.port}/admin"))
    with pytest.raises(BlockedAddress):
        fetch(hostile.url("/go"), obey_robots=False)


def test_default_policy_refuses_loopback(hostile, fetch, net):
    with pytest.raises(BlockedAddress, match="--allow-network"):
        fetch(hostile.url("/gzip"), allow_networks=())
    assert net.attempts == []
    assert hostile.connections == 0


def test_default_transport_is_guarded(hostile, canary):
    """Without a transport argument the Fetcher builds its own GuardedTransport."""
    hostile.route("/go", _redirect_to(canary.url("/admin")))

    async def go():
        async with Fetcher(dataclasses.replace(FAST, obey_robots=False)) as fetcher:
            return await fetcher.fetch(hostile.url("/go"))

    with pytest.raises(BlockedAddress):
        asyncio.run(go())


# -- custom transports: checked by the fetcher, or failing closed -------------------------


def test_custom_httpcore_transport_is_checked_before_sending(hostile, canary, fetch):
    hostile.route("/go", _redirect_to(f"http://intranet.test:{canary.port}/admin"))
    resolver = FakeResolver({"intranet.test": ["127.0.0.2"]})
    transport = httpx.AsyncHTTPTransport()  # connects on its own, reports its address
    with pytest.raises(BlockedAddress, match=r"127\.0\.0\.2"):
        fetch(hostile.url("/go"), resolver=resolver, transport=transport, obey_robots=False)
    page = fetch(hostile.url("/gzip"), transport=httpx.AsyncHTTPTransport())
    assert page.content == PAGE  # our decoding works through it too


class _Blindfold(httpx.AsyncBaseTransport):
    """A transport that does not say where it connected (as httpx-aiohttp does)."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        # No connect event either: the trace hook is httpcore's, not a transport's duty.
        request.extensions = {k: v for k, v in request.extensions.items() if k != "trace"}
        response = await self._inner.handle_async_request(request)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=response.stream,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        await self._inner.aclose()


def test_transport_that_hides_its_address_fails_closed(hostile, fetch):
    with pytest.raises(BlockedAddress, match="cannot tell which address"):
        fetch(hostile.url("/gzip"), transport=_Blindfold(), obey_robots=False)


def test_transport_that_hides_its_address_works_when_everything_is_allowed(hostile, fetch):
    page = fetch(
        hostile.url("/gzip"),
        transport=_Blindfold(),
        obey_robots=False,
        allow_networks=("0.0.0.0/0", "::/0"),
    )
    assert page.content == PAGE


def test_aiohttp_transport_fails_closed(hostile, fetch):
    httpx_aiohttp = pytest.importorskip("httpx_aiohttp")
    with pytest.raises(BlockedAddress, match="cannot tell which address"):
        fetch(hostile.url("/gzip"), transport=httpx_aiohttp.AiohttpTransport(), obey_robots=False)


# -- proxies ------------------------------------------------------------------------------


def _proxy_answer(conn: Conn, request: Request) -> None:
    # What a forward proxy sends back; the target is in the absolute-form request target.
    reply(b"<p>via proxy " + request.target.encode() + b"</p>")(conn, request)


def _only_proxy(monkeypatch, proxy: str, no_proxy: str | None = None) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HTTP_PROXY", proxy)
    if no_proxy is not None:
        monkeypatch.setenv("NO_PROXY", no_proxy)


def test_proxy_gets_nothing_for_an_inward_target(other, canary, monkeypatch):
    other.route("/admin", _proxy_answer)
    _only_proxy(monkeypatch, other.origin)
    resolver = FakeResolver({"intranet.test": ["127.0.0.2"]})
    cfg = dataclasses.replace(FAST, trust_env=True, obey_robots=False)

    async def go(url):
        async with Fetcher(cfg, resolver=resolver) as fetcher:
            return await fetcher.fetch(url)

    with pytest.raises(BlockedAddress, match=r"intranet\.test"):
        asyncio.run(go(f"http://intranet.test:{canary.port}/admin"))
    assert other.requests == []

    # An allowed target goes through the proxy, which the policy does not judge.
    resolver.table["public.test"] = ["127.0.0.1"]
    page = asyncio.run(go("http://public.test/admin"))
    assert page.text == "<p>via proxy http://public.test/admin</p>"
    assert [r.target for r in other.requests] == ["http://public.test/admin"]


def test_no_proxy_hosts_go_direct_and_are_checked(hostile, other, monkeypatch):
    _only_proxy(monkeypatch, other.origin, no_proxy="direct.test")
    resolver = FakeResolver({"direct.test": ["127.0.0.1"]})
    cfg = dataclasses.replace(FAST, trust_env=True, obey_robots=False)

    async def go():
        async with Fetcher(cfg, resolver=resolver) as fetcher:
            return await fetcher.fetch(f"http://direct.test:{hostile.port}/gzip")

    assert asyncio.run(go()).content == PAGE
    assert other.requests == []


# -- credentials never leave their origin --------------------------------------------------


def test_credentials_do_not_follow_a_redirect_to_another_origin(hostile, other, fetch):
    other.route("/land", reply(b"<p>landed</p>"))
    hostile.route("/start", _redirect_to(other.url("/land")))
    page = fetch(
        hostile.url("/start"),
        headers=(("Authorization", "Bearer secret"), ("Proxy-Authorization", "Basic x")),
        cookies=(("session", "s3cret"),),
        obey_robots=False,
    )
    assert page.text == "<p>landed</p>"
    (first,) = [r for r in hostile.requests if r.path == "/start"]
    assert first.headers["authorization"] == "Bearer secret"
    assert "session=s3cret" in first.headers["cookie"]
    (landed,) = other.requests
    assert not {"authorization", "proxy-authorization", "cookie"} & set(landed.headers)


def test_cookies_set_on_the_way_do_not_follow_to_another_origin(hostile, other, fetch):
    # Cookie jars match by host only, so 127.0.0.1:A's cookie would reach 127.0.0.1:B.
    other.route("/land", reply(b"<p>landed</p>"))
    hostile.route(
        "/start",
        lambda c, r: c.send(
            head(
                302,
                [
                    ("Set-Cookie", "session=SECRET; Path=/; HttpOnly"),
                    ("Location", other.url("/land")),
                    ("Content-Length", "0"),
                ],
            )
        ),
    )
    assert fetch(hostile.url("/start"), obey_robots=False).text == "<p>landed</p>"
    (landed,) = other.requests
    assert "cookie" not in landed.headers


def test_configured_headers_stay_with_their_origin(hostile, other, fetch):
    other.route("/land", reply(b"<p>landed</p>"))
    hostile.route("/start", _redirect_to(other.url("/land")))
    fetch(
        hostile.url("/start"),
        headers=(("X-Api-Key", "K"), ("Accept-Language", "it"), ("X-Custom", "1")),
        obey_robots=False,
    )
    (first,) = [r for r in hostile.requests if r.path == "/start"]
    assert first.headers["x-api-key"] == "K"
    assert first.headers["x-custom"] == "1"
    (landed,) = other.requests
    assert "x-api-key" not in landed.headers
    assert "x-custom" not in landed.headers
    assert landed.headers["accept-language"] == "it"  # harmless: allowed through
    assert landed.headers["user-agent"].startswith("tidyscrape/")


def test_allowing_all_of_ipv6_does_not_open_mapped_ipv4(fetch, net):
    resolver = FakeResolver({"mapped.test": ["::ffff:127.0.0.2", "64:ff9b::a00:1"]})
    with pytest.raises(BlockedAddress, match="loopback"):
        fetch("http://mapped.test/", resolver=resolver, allow_networks=("127.0.0.1/32", "::/0"))
    assert net.attempts == []


def test_robots_txt_of_another_origin_gets_no_cookie(hostile, other, fetch):
    other.route("/land", reply(b"<p>landed</p>"))
    other.route("/robots.txt", reply(b"", status=404))
    hostile.route("/robots.txt", reply(b"", status=404))
    hostile.route(
        "/start",
        lambda c, r: c.send(
            head(
                302,
                [
                    ("Set-Cookie", "session=SECRET; Path=/"),
                    ("Location", other.url("/land")),
                    ("Content-Length", "0"),
                ],
            )
        ),
    )
    assert fetch(hostile.url("/start")).text == "<p>landed</p>"
    assert [r.path for r in other.requests] == ["/robots.txt", "/land"]
    assert not any("cookie" in r.headers for r in other.requests)
