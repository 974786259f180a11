"""robots.txt per RFC 9309 against hostile servers: unreachable means disallowed, for now."""

from __future__ import annotations

import asyncio
import dataclasses
import gzip
import time
import tracemalloc

import pytest

from scraper.errors import RobotsDisallowed
from scraper.fetching.client import Fetcher
from tests.hostile.cases import ROUTES, gzip_bomb, head, reply
from tests.hostile.conftest import FAST, FakeResolver, guarded
from tests.hostile.server import Conn, Request

TEXT = [("Content-Type", "text/plain")]


def _robots(body: bytes, status: int = 200, headers=TEXT):
    return reply(body, status=status, headers=headers)


def _page(hostile):
    hostile.route("/private/page", reply(b"<p>private</p>"))
    hostile.route("/public", reply(b"<p>public</p>"))


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_server_errors_disallow_for_now(status, hostile, fetch):
    _page(hostile)
    hostile.route("/robots.txt", _robots(b"oops", status=status))
    with pytest.raises(RobotsDisallowed, match=str(status)):
        fetch(hostile.url("/public"))
    assert hostile.hits("/public") == 0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_client_errors_allow_everything(status, hostile, fetch):
    _page(hostile)
    hostile.route("/robots.txt", _robots(b"User-agent: *\nDisallow: /\n", status=status))
    assert fetch(hostile.url("/private/page")).text == "<p>private</p>"


@pytest.mark.parametrize("path", ["/trickle-body", "/silent", "/reset-before-answer"])
def test_unreachable_robots_disallows(path, hostile, fetch):
    _page(hostile)
    hostile.route("/robots.txt", ROUTES[path])
    started = time.monotonic()
    with pytest.raises(RobotsDisallowed, match=r"timed out|unreachable"):
        fetch(hostile.url("/public"), timeout=2.0, read_timeout=5.0)
    # robots.txt has its own deadline (FAST.robots_timeout): the fetch does not time out.
    assert time.monotonic() - started < 1.5
    assert hostile.hits("/public") == 0


def test_redirects_are_followed_a_few_hops(hostile, fetch):
    _page(hostile)
    for i in range(3):
        hostile.route(f"/r{i}", _to(f"/r{i + 1}"))
    hostile.route("/robots.txt", _to("/r0"))
    hostile.route("/r3", _robots(b"User-agent: *\nDisallow: /private\n"))
    with pytest.raises(RobotsDisallowed):
        fetch(hostile.url("/private/page"))
    assert fetch(hostile.url("/public")).text == "<p>public</p>"


def test_too_many_redirects_mean_unavailable(hostile, fetch):
    _page(hostile)
    hostile.route("/robots.txt", _to("/r0"))
    for i in range(10):
        hostile.route(f"/r{i}", _to(f"/r{i + 1}"))
    assert fetch(hostile.url("/private/page")).text == "<p>private</p>"
    assert sum(hostile.hits(f"/r{i}") for i in range(10)) == 5  # then given up


def _to(location):
    def handler(conn: Conn, request: Request) -> None:
        conn.send(head(301, [("Location", location), ("Content-Length", "0")]))

    return handler


def test_bom_and_malformed_lines_are_tolerated(hostile, fetch):
    _page(hostile)
    body = (
        b"\xef\xbb\xbfUser-agent: *\r\n"
        b"this line is nonsense\n"
        b"Disallow /no-colon\n"
        b"\x00\xff\xfe garbage bytes\n"
        b"Disallow: /private\n"
    )
    hostile.route("/robots.txt", _robots(body))
    with pytest.raises(RobotsDisallowed):
        fetch(hostile.url("/private/page"))
    assert fetch(hostile.url("/public")).text == "<p>public</p>"


def test_only_the_first_500_kib_count(hostile, fetch):
    _page(hostile)
    filler = b"# padding padding padding\n" * (600 * 1024 // 26)
    hostile.route(
        "/robots.txt", _robots(b"User-agent: *\nDisallow: /private\n" + filler + b"Disallow: /\n")
    )
    with pytest.raises(RobotsDisallowed):
        fetch(hostile.url("/private/page"))
    assert fetch(hostile.url("/public")).text == "<p>public</p>"  # the late rule is ignored


def test_compressed_robots_is_capped_after_decompression(hostile, fetch):
    _page(hostile)
    body = gzip.compress(b"User-agent: *\nDisallow: /private\n" + b"#" * (2 * 1024 * 1024))
    hostile.route("/robots.txt", _robots(body, headers=[*TEXT, ("Content-Encoding", "gzip")]))
    with pytest.raises(RobotsDisallowed):
        fetch(hostile.url("/private/page"))


def test_robots_gzip_bomb_is_read_in_bounded_memory(hostile, fetch):
    _page(hostile)
    hostile.route(
        "/robots.txt",
        _robots(gzip_bomb(), headers=[*TEXT, ("Content-Encoding", "gzip")]),
    )
    tracemalloc.start()
    try:
        page = fetch(hostile.url("/public"), timeout=2.0)  # 500 KiB of NULs: no rules
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert page.text == "<p>public</p>"
    assert peak < 8 * 1024 * 1024


def test_corrupt_compressed_robots_disallows_for_now(hostile, fetch):
    _page(hostile)
    hostile.route(
        "/robots.txt",
        _robots(b"\x1f\x8b\x08\x00broken", headers=[*TEXT, ("Content-Encoding", "gzip")]),
    )
    with pytest.raises(RobotsDisallowed, match="unreachable"):
        fetch(hostile.url("/public"))


# -- a robots.txt hop that cannot be made: unreachable, disallowed for now, and cached -----


@pytest.mark.parametrize(
    "where",
    [
        "canary",  # a refused address
        "http://[::1/robots.txt",  # not a URL
        "http://127.0.0.1:99999/robots.txt",  # no such port
        "http://" + "a" * 64 + ".example/robots.txt",  # no such host name
    ],
)
def test_robots_hop_that_cannot_be_made_disallows_and_is_cached(where, hostile, canary, net):
    _page(hostile)
    target = canary.url("/robots.txt") if where == "canary" else where
    hostile.route("/robots.txt", _to(target))
    resolver = FakeResolver({})
    cfg = dataclasses.replace(FAST)

    async def go():
        errors = []
        async with Fetcher(cfg, resolver=resolver, transport=guarded(cfg, net, resolver)) as f:
            for _ in range(2):
                with pytest.raises(RobotsDisallowed, match="unreachable") as info:
                    await f.fetch(hostile.url("/public"))
                errors.append(info.value)
        return errors

    asyncio.run(go())
    assert hostile.hits("/robots.txt") == 1  # the verdict is cached
    assert hostile.hits("/public") == 0
    assert resolver.asked == []
    assert set(net.hosts) == {"127.0.0.1"}
