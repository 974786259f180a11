"""Redirects: a limit, loop detection, and meta refresh (returned, never followed)."""

from __future__ import annotations

import asyncio

import pytest

from scraper.errors import InvalidURL, TooManyRedirects
from scraper.fetching.addresses import SystemResolver
from tests.hostile.cases import head
from tests.hostile.conftest import FakeResolver
from tests.hostile.server import Conn, Request


def _to(location: str, status: int = 302):
    def handler(conn: Conn, request: Request) -> None:
        conn.send(head(status, [("Location", location), ("Content-Length", "0")]))

    return handler


def test_endless_fresh_urls_hit_the_limit(hostile, fetch):
    def onwards(conn: Conn, request: Request) -> None:
        n = int(request.target.rsplit("=", 1)[1])
        _to(f"/onwards?n={n + 1}")(conn, request)

    hostile.route("/onwards", onwards)
    with pytest.raises(TooManyRedirects, match="more than 4 times"):
        fetch(hostile.url("/onwards?n=0"), max_redirects=4, obey_robots=False)
    assert hostile.hits("/onwards") == 5


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_two_step_loop_is_caught_at_once(status, hostile, fetch):
    hostile.route("/ping", _to("/pong", status))
    hostile.route("/pong", _to("/ping", status))
    with pytest.raises(TooManyRedirects, match="redirect loop"):
        fetch(hostile.url("/ping"), obey_robots=False)
    assert hostile.hits("/ping") == 1  # the second visit is never made
    assert hostile.hits("/pong") == 1


def test_loop_through_spelling_variants_is_caught(hostile, fetch):
    # Same URL in another spelling (upper-case host, explicit default path).
    hostile.route("/a", _to(hostile.url("/b").replace("http://", "HTTP://")))
    hostile.route("/b", _to(hostile.url("/a")))
    with pytest.raises(TooManyRedirects, match="loop"):
        fetch(hostile.url("/a"), obey_robots=False)


def test_meta_refresh_loop_is_returned_not_followed(hostile, fetch):
    page = fetch(hostile.url("/meta-refresh-loop"), obey_robots=False)
    assert page.status == 200
    assert "refreshing" in page.text
    assert page.redirects == (hostile.url("/meta-refresh-loop"),)
    assert hostile.hits("/meta-refresh-loop") == 1


# -- a Location that is not a usable URL is an InvalidURL, never a stray exception ----------


@pytest.mark.parametrize(
    ("location", "match"),
    [
        ("http://[::1/x", "not a valid URL"),  # unclosed IPv6 literal
        ("http://127.0.0.1:99999/x", "port"),  # past 65535
        ("http://127.0.0.1:0/x", "port"),
        ("http://" + "a" * 64 + ".example/x", "label"),  # over 63 characters: IDNA refuses it
        ("http://" + ("a" * 60 + ".") * 5 + "example/x", "host name"),  # over 253 characters
    ],
)
def test_unusable_locations_are_invalid_urls(location, match, hostile, fetch, net):
    resolver = FakeResolver({})
    hostile.route("/go", _to(location))
    with pytest.raises(InvalidURL, match=match):
        fetch(hostile.url("/go"), obey_robots=False, resolver=resolver)
    assert hostile.hits("/go") == 1
    assert resolver.asked == []  # refused before any lookup
    assert len(net.attempts) == 1


def test_resolver_refusing_a_name_is_a_network_error():
    """The system resolver's IDNA failure (a label over 63 characters) stays in the tree."""
    host = "b" * 64 + ".example"

    async def go():
        with pytest.raises(OSError):
            await SystemResolver().resolve(host, 80)

    asyncio.run(go())
