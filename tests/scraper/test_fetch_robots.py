"""robots.txt through a real server: parse, absent, unreachable, BOM, cache, opt-out."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx
import pytest

from scraper.errors import RobotsDisallowed
from scraper.fetching.client import Fetcher
from scraper.fetching.robots import RobotsCache
from tests.scraper.conftest import FAST
from tests.servers import Reply, html, redirect, robots

DISALLOW_PRIVATE = "User-agent: *\nDisallow: /private\n"


@pytest.fixture
def fast_config():
    """The shared FAST settings, with our loopback test servers allowed (refused by default)."""
    return dataclasses.replace(FAST, allow_networks=("127.0.0.1/32",))


def test_disallowed_path(server, fetch):
    server.route("/robots.txt", robots(DISALLOW_PRIVATE))
    server.route("/private/a", html("secret"))
    server.route("/public", html("ok"))
    assert fetch(server.url("/public")).text == "ok"
    with pytest.raises(RobotsDisallowed, match="ignore-robots"):
        fetch(server.url("/private/a"))
    assert server.hits("/private/a") == 0


def test_group_for_our_agent_wins(server, fetch):
    server.route(
        "/robots.txt", robots("User-agent: *\nAllow: /\n\nUser-agent: tidyscrape\nDisallow: /\n")
    )
    server.route("/", html("ok"))
    with pytest.raises(RobotsDisallowed, match="tidyscrape"):
        fetch(server.url("/"))


def test_other_agents_rules_do_not_apply(server, fetch):
    server.route("/robots.txt", robots("User-agent: otherbot\nDisallow: /\n"))
    server.route("/", html("ok"))
    assert fetch(server.url("/")).text == "ok"


def test_404_allows_everything(server, fetch):
    server.route("/", html("ok"))  # /robots.txt is not routed: 404
    assert fetch(server.url("/")).text == "ok"
    assert server.hits("/robots.txt") == 1


@pytest.mark.parametrize("status", [500, 503, 429])
def test_unreachable_robots_disallows_everything(status, server, fetch):
    server.route("/robots.txt", Reply(status))
    server.route("/", html("ok"))
    with pytest.raises(RobotsDisallowed, match=str(status)):
        fetch(server.url("/"))
    assert server.hits("/") == 0


def test_robots_timeout_disallows(server, fetch):
    server.route("/robots.txt", Reply(200, b"", delay=1.0))
    server.route("/", html("ok"))
    with pytest.raises(RobotsDisallowed, match="timed out"):
        fetch(server.url("/"), read_timeout=0.2)


def test_bom_prefixed_robots(server, fetch):
    server.route("/robots.txt", robots(b"\xef\xbb\xbfUser-agent: *\nDisallow: /private\n"))
    server.route("/private", html("secret"))
    with pytest.raises(RobotsDisallowed):
        fetch(server.url("/private"))


def test_robots_redirect_is_followed(server, fetch):
    server.route("/robots.txt", redirect("/real-robots.txt", 301))
    server.route("/real-robots.txt", robots(DISALLOW_PRIVATE))
    server.route("/private", html("secret"))
    with pytest.raises(RobotsDisallowed):
        fetch(server.url("/private"))


def test_robots_beyond_500_kib_is_ignored(server, fetch):
    filler = "# padding\n" * (52 * 1024)  # > 500 KiB of comments
    server.route("/robots.txt", robots("User-agent: *\n" + filler + "Disallow: /\n"))
    server.route("/", html("ok"))
    assert fetch(server.url("/")).text == "ok"


def test_each_redirect_hop_is_checked(server, other_server, fetch):
    other_server.route("/robots.txt", robots(DISALLOW_PRIVATE))
    server.route("/go", redirect(other_server.url("/private/x")))
    with pytest.raises(RobotsDisallowed):
        fetch(server.url("/go"))
    assert other_server.hits("/private/x") == 0


def test_ignore_robots(server, fetch):
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /\n"))
    server.route("/", html("ok"))
    assert fetch(server.url("/"), obey_robots=False).text == "ok"
    assert server.hits("/robots.txt") == 0


def test_cache_fetches_once_per_origin(server, fast_config):
    server.route("/robots.txt", robots("User-agent: *\nCrawl-delay: 2.5\nDisallow: /private\n"))

    async def go():
        async with httpx.AsyncClient(trust_env=False) as client:
            cache = RobotsCache(fast_config, client)
            answers = await asyncio.gather(
                cache.allowed(server.url("/a")),
                cache.allowed(server.url("/private")),
                cache.allowed(server.url("/b?q=1")),
            )
            return answers, await cache.crawl_delay(server.url("/")), cache.agent

    answers, delay, agent = asyncio.run(go())
    assert answers == [True, False, True]
    assert delay == 2.5
    assert agent == "tidyscrape"
    assert server.hits("/robots.txt") == 1


def test_injected_robots_cache_is_used(server, fast_config):
    server.route("/robots.txt", robots("User-agent: *\nDisallow: /\n"))
    server.route("/", html("ok"))

    async def go():
        async with httpx.AsyncClient(trust_env=False) as client:
            cache = RobotsCache(fast_config, client)
            async with Fetcher(fast_config, robots=cache) as fetcher:
                assert fetcher.robots is cache
                await fetcher.fetch(server.url("/"))

    with pytest.raises(RobotsDisallowed):
        asyncio.run(go())


def test_cache_keeps_a_bounded_number_of_origins(fast_config):
    """A crawl over many hosts keeps the most recently used origins, and no idle locks."""
    asked: list[str] = []

    class Body(httpx.AsyncByteStream):  # a streamed body, as a network transport gives
        async def __aiter__(self):
            yield b"User-agent: *\nDisallow: /private\n"

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.host)
        return httpx.Response(200, stream=Body())

    async def go():
        transport = httpx.MockTransport(answer)
        async with httpx.AsyncClient(transport=transport) as client:
            cache = RobotsCache(fast_config, client, max_origins=8)
            for i in range(50):
                assert await cache.allowed(f"http://h{i}.test/a")
                assert await cache.allowed("http://kept.test/a")  # used all along: kept
            assert len(cache) == 8
            assert not cache._locks  # a lock lives only while its origin is loading
            assert not await cache.allowed("http://h49.test/private")  # recent: still cached

    asyncio.run(go())
    assert asked.count("kept.test") == 1
    assert len(asked) == 51
