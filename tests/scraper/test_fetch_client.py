"""Fetcher against a real server on loopback: retries, redirects, caps, deadline, types."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email.utils
import socket
import time

import httpx
import pytest

import scraper
from scraper.config import Config, FetchConfig
from scraper.errors import (
    BlockedAddress,
    BodyTooLarge,
    DeadlineExceeded,
    FetchError,
    HTTPStatusError,
    NetworkError,
    RetryLaterError,
    TooManyRedirects,
    UnsupportedContent,
)
from scraper.fetching.client import Fetcher
from tests.scraper.conftest import FAST
from tests.servers import (
    PDF_BYTES,
    PNG_BYTES,
    Reply,
    Seen,
    brotli_compressed,
    gzip_bomb,
    gzipped,
    html,
    pdf,
    png,
    redirect,
)

# -- a plain fetch ------------------------------------------------------------------------


@pytest.fixture
def fast_config():
    """The shared FAST settings, with our loopback test servers allowed (refused by default)."""
    return dataclasses.replace(FAST, allow_networks=("127.0.0.1/32",))


def test_page_fields(server, fetch):
    server.route("/", html("<p>héllo</p>", headers=[("X-Thing", "1")]))
    page = fetch(server.url("/"))
    assert page.url == page.final_url == server.url("/")
    assert page.status == 200
    assert page.text == "<p>héllo</p>"
    assert page.content == "<p>héllo</p>".encode()
    assert (page.encoding, page.encoding_source) == ("utf-8", "header")
    assert page.content_type == "text/html"
    assert page.headers["x-thing"] == "1"
    assert all(name == name.lower() for name in page.headers)
    assert page.address == "127.0.0.1"
    assert page.redirects == (server.url("/"),)
    assert page.retries == {}
    assert 0 < page.elapsed < 2


def test_user_agent_names_the_project(server, fetch):
    server.route("/", html("ok"))
    fetch(server.url("/"))
    for seen in server.requests:  # robots.txt and the page
        assert seen.headers["user-agent"].startswith("tidyscrape/")


def test_custom_headers_and_cookies_arrive(server, fetch):
    server.route("/", html("ok"))
    fetch(
        server.url("/"),
        headers=(("X-Test", "yes"), ("Accept-Language", "it")),
        cookies=(("session", "abc"), ("theme", "dark")),
    )
    (seen,) = server.seen("/")
    assert seen.headers["x-test"] == "yes"
    assert seen.headers["accept-language"] == "it"
    assert seen.headers["cookie"] == "session=abc; theme=dark"


def test_gzip_and_brotli_bodies_are_decoded(server, fetch):
    server.route("/gz", gzipped(b"<p>zipped</p>"))
    server.route("/br", brotli_compressed(b"<p>brotli</p>"))
    assert fetch(server.url("/gz")).text == "<p>zipped</p>"
    assert fetch(server.url("/br")).text == "<p>brotli</p>"


def test_sync_public_fetch(server, fast_config):
    server.route("/", html("<p>sync</p>"))
    page = scraper.fetch(server.url("/"), config=Config(fetch=fast_config))
    assert page.text == "<p>sync</p>"


def test_concurrent_fetches_share_one_fetcher(server, fast_config):
    for i in range(5):
        server.route(f"/{i}", html(f"page {i}"))

    async def go():
        async with Fetcher(fast_config) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(server.url(f"/{i}")) for i in range(5)))

    pages = asyncio.run(go())
    assert [p.text for p in pages] == [f"page {i}" for i in range(5)]
    assert server.hits("/robots.txt") == 1  # one robots.txt download, shared


def test_fetch_outside_context_is_a_usage_error(fast_config):
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(Fetcher(fast_config).fetch("http://127.0.0.1/"))


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "javascript:alert(1)"])
def test_only_http_and_https(url, fetch):
    with pytest.raises(BlockedAddress, match="only http and https"):
        fetch(url)


# -- retries ------------------------------------------------------------------------------


def test_503_then_200_is_retried_and_counted(server, fetch):
    server.route("/", Reply(503), Reply(502), html("ok"))
    page = fetch(server.url("/"))
    assert page.text == "ok"
    assert page.retries == {"503": 1, "502": 1}
    assert server.hits("/") == 3


def test_exhausted_retries_raise_the_last_status(server, fetch):
    server.route("/", Reply(500), Reply(500), Reply(503))
    with pytest.raises(HTTPStatusError) as info:
        fetch(server.url("/"), retries=2)
    assert info.value.status == 503
    assert not isinstance(info.value, RetryLaterError)
    assert server.hits("/") == 3


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_4xx_is_not_retried(status, server, fetch):
    server.route("/", Reply(status, b"no"))
    with pytest.raises(HTTPStatusError) as info:
        fetch(server.url("/"))
    assert info.value.status == status
    assert server.hits("/") == 1


def test_429_retry_after_seconds_is_waited(server, fetch):
    server.route("/", Reply(429, headers=[("Retry-After", "1")]), html("ok"))
    started = time.monotonic()
    page = fetch(server.url("/"))
    assert time.monotonic() - started >= 1.0
    assert page.retries == {"429": 1}
    first, second = (s for s in server.requests if s.path == "/")
    assert first is not second


def test_429_retry_after_http_date_is_not_retried_early(server, fetch):
    stamps: list[float] = []

    def handler(seen: Seen) -> Reply:
        stamps.append(time.time())
        if len(stamps) == 1:
            when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1.2)
            return Reply(503, headers=[("Retry-After", email.utils.format_datetime(when, True))])
        return html("ok")

    server.route("/", handler)
    page = fetch(server.url("/"))
    assert page.retries == {"503": 1}
    # The HTTP-date has whole seconds: the retry must not come before it.
    first_second = int(stamps[0] + 1.2)
    assert stamps[1] >= first_second


def test_retry_after_beyond_cap_raises_retry_later_at_once(server, fetch):
    server.route("/", Reply(429, headers=[("Retry-After", "3600")]))
    started = time.monotonic()
    with pytest.raises(RetryLaterError) as info:
        fetch(server.url("/"))
    assert time.monotonic() - started < 1
    assert server.hits("/") == 1
    expected = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3600)
    assert abs((info.value.retry_at - expected).total_seconds()) < 5
    assert info.value.status == 429


def test_retry_after_beyond_deadline_raises_retry_later(server, fetch):
    server.route("/", Reply(503, headers=[("Retry-After", "2")]))
    with pytest.raises(RetryLaterError, match="deadline"):
        fetch(server.url("/"), timeout=1.0, retry_after_cap=10.0)
    assert server.hits("/") == 1


def test_retry_after_with_no_retry_left_raises_retry_later(server, fetch):
    server.route("/", Reply(503, headers=[("Retry-After", "1")]))
    with pytest.raises(RetryLaterError):
        fetch(server.url("/"), retries=0)
    assert server.hits("/") == 1


def test_read_timeout_is_retried(server, fetch):
    server.route("/", Reply(200, b"late", delay=0.6), html("ok"))
    page = fetch(server.url("/"), read_timeout=0.2)
    assert page.text == "ok"
    assert page.retries == {"timeout": 1}


def test_connection_refused_is_retried_then_network_error(fetch):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError):
        fetch(f"http://127.0.0.1:{port}/", obey_robots=False, retries=1)


def test_bad_certificate_is_not_retried(tls_server, fetch):
    tls_server.route("/", html("never"))
    started = time.monotonic()
    with pytest.raises(NetworkError, match="TLS") as info:
        fetch(tls_server.url("/"), obey_robots=False, backoff=0.5, backoff_max=0.5)
    assert "retry would not help" in str(info.value)
    assert time.monotonic() - started < 0.5  # no backoff was slept
    assert tls_server.requests == []


def test_broken_gzip_is_a_fetch_error(server, fetch):
    server.route(
        "/",
        Reply(
            200, b"not gzip at all", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        ),
    )
    with pytest.raises(FetchError, match="Content-Encoding"):
        fetch(server.url("/"))
    assert server.hits("/") == 1


# -- redirects ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirects_are_followed(status, server, fetch):
    server.route("/a", redirect("/b", status))
    server.route("/b", redirect(server.url("/c"), status))
    server.route("/c", html("end"))
    page = fetch(server.url("/a"))
    assert page.text == "end"
    assert page.url == server.url("/a")
    assert page.final_url == server.url("/c")
    assert page.redirects == (server.url("/a"), server.url("/b"), server.url("/c"))


def test_relative_redirect(server, fetch):
    server.route("/a/b/c", redirect("../d?q=1#frag"))
    server.route("/a/d", html("relative"))
    page = fetch(server.url("/a/b/c"))
    assert page.final_url == server.url("/a/d?q=1")
    assert server.seen("/a/d")[0].path == "/a/d?q=1"


def test_redirect_limit(server, fetch):
    for i in range(5):
        server.route(f"/{i}", redirect(f"/{i + 1}"))
    server.route("/5", html("far"))
    assert fetch(server.url("/2"), max_redirects=3).text == "far"  # exactly 3 hops
    with pytest.raises(TooManyRedirects, match="more than 3"):
        fetch(server.url("/0"), max_redirects=3)


def test_redirect_loop(server, fetch):
    server.route("/x", redirect("/y"))
    server.route("/y", redirect("/x"))
    with pytest.raises(TooManyRedirects, match="loop"):
        fetch(server.url("/x"))
    assert server.hits("/x") == 1


def test_redirect_to_self_setting_a_cookie_is_not_a_loop(server, fetch):
    def login(seen: Seen) -> Reply:
        if "visited=1" in seen.headers.get("cookie", ""):
            return html("welcome")
        return redirect("/login", headers=[("Set-Cookie", "visited=1; Path=/")])

    server.route("/login", login)
    assert fetch(server.url("/login")).text == "welcome"


def test_redirect_to_other_scheme_is_blocked(server, fetch):
    server.route("/", redirect("ftp://127.0.0.1/file"))
    with pytest.raises(BlockedAddress):
        fetch(server.url("/"))


def test_cross_origin_redirect_drops_credentials(server, other_server, fetch):
    server.route("/start", redirect(other_server.url("/land")))
    other_server.route("/land", html("landed"))
    page = fetch(
        server.url("/start"),
        headers=(("Authorization", "Bearer secret"), ("X-Keep", "1")),
        cookies=(("session", "abc"),),
    )
    assert page.text == "landed"
    (first,) = server.seen("/start")
    assert first.headers["authorization"] == "Bearer secret"
    assert first.headers["cookie"] == "session=abc"
    (second,) = other_server.seen("/land")
    assert "authorization" not in second.headers
    assert "cookie" not in second.headers
    assert "x-keep" not in second.headers  # no configured header but harmless ones


def test_same_origin_redirect_keeps_credentials(server, fetch):
    server.route("/start", redirect("/land"))
    server.route("/land", html("landed"))
    fetch(server.url("/start"), headers=(("Authorization", "Bearer s"),), cookies=(("k", "v"),))
    (land,) = server.seen("/land")
    assert land.headers["authorization"] == "Bearer s"
    assert land.headers["cookie"] == "k=v"


# -- address policy -----------------------------------------------------------------------


@pytest.mark.parametrize(("transport", "checks"), [("httpx", 2), ("aiohttp", 5)])
def test_address_policy_is_called_before_each_new_connection(
    server, other_server, fetch, transport, checks
):
    server.route("/a", redirect("/b"))
    server.route("/b", redirect(other_server.url("/c")))
    other_server.route("/c", html("ok"))
    calls: list[tuple[str, str | None]] = []
    fetch(
        server.url("/a"),
        address_policy=lambda host, ip: calls.append((host, ip)),
        transport=transport,
    )
    # httpx: one check per new connection, one per origin (robots.txt, /a and
    # /b share the first one).  aiohttp: a literal host is checked before every
    # request (robots.txt, /a, /b; robots.txt and /c on the other origin).
    # Always with the address about to be connected to.
    assert calls == [("127.0.0.1", "127.0.0.1")] * checks


def test_address_policy_blocks_a_new_connection_before_sending(server, other_server, fetch):
    server.route("/a", redirect(other_server.url("/b")))
    other_server.route("/b", html("secret"))
    calls = []

    def policy(host: str, ip: str | None) -> None:
        calls.append(ip)
        if len(calls) == 2:
            raise BlockedAddress(f"{ip} is not allowed")

    with pytest.raises(BlockedAddress, match="not allowed") as info:
        fetch(server.url("/a"), address_policy=policy, obey_robots=False)
    assert info.value.url == server.url("/a")
    assert other_server.hits("/b") == 0  # refused before connecting: never sent


def test_custom_transport_hops_are_checked_on_reused_connections(server, fetch):
    server.route("/a", redirect("/b"))
    server.route("/b", html("secret"))
    calls = []

    def policy(host: str, ip: str | None) -> None:
        calls.append(ip)
        if len(calls) == 4:
            raise BlockedAddress(f"{ip} is not allowed")

    with pytest.raises(BlockedAddress, match="not allowed"):
        fetch(
            server.url("/a"),
            address_policy=policy,
            transport=httpx.AsyncHTTPTransport(),
            obey_robots=False,
        )
    # /a: before sending (resolved), at connect; /b: before sending, on the reused stream.
    assert calls == ["127.0.0.1"] * 4


def test_address_policy_blocks_robots_too(server, fetch):
    def policy(host: str, ip: str | None) -> None:
        raise BlockedAddress(f"{host} is private")

    with pytest.raises(BlockedAddress, match="private"):
        fetch(server.url("/"), address_policy=policy)
    assert server.requests == []


# -- body cap, deadline -------------------------------------------------------------------


def test_gzip_bomb_hits_the_cap(server, fetch):
    bomb = gzip_bomb(20 * 1024 * 1024)
    assert len(bomb.body) < 100 * 1024
    server.route("/", bomb)
    with pytest.raises(BodyTooLarge, match="max-size"):
        fetch(server.url("/"), max_size=1024 * 1024)


def test_content_length_over_cap_is_rejected_before_reading(server, fetch):
    server.route("/", html(b"x" * 300_000))
    with pytest.raises(BodyTooLarge, match="Content-Length"):
        fetch(server.url("/"), max_size=100_000)


def test_close_delimited_body_over_cap(server, fetch):
    server.route(
        "/", Reply(200, b"y" * 300_000, [("Content-Type", "text/html")], content_length=False)
    )
    with pytest.raises(BodyTooLarge):
        fetch(server.url("/"), max_size=100_000)


def test_body_at_the_cap_is_fine(server, fetch):
    server.route("/", html(b"z" * 1000))
    assert len(fetch(server.url("/"), max_size=1000).content) == 1000


def test_trickling_server_hits_the_deadline(server, fetch):
    server.route("/", Reply(200, b"a" * 100, [("Content-Type", "text/html")], trickle=0.1))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="deadline"):
        fetch(server.url("/"), timeout=0.8, read_timeout=5.0)
    assert time.monotonic() - started < 0.8 + 0.5


def test_slow_headers_hit_the_deadline(server, fetch):
    server.route("/", Reply(200, b"late", delay=3))
    with pytest.raises(DeadlineExceeded):
        fetch(server.url("/"), timeout=0.5, read_timeout=5.0, obey_robots=False)


# -- content types ------------------------------------------------------------------------


def test_pdf_is_unsupported(server, fetch):
    server.route("/doc", pdf())
    with pytest.raises(UnsupportedContent, match="PDF"):
        fetch(server.url("/doc"))


def test_pdf_without_content_type_is_sniffed(server, fetch):
    server.route("/doc", pdf(content_type=None))
    with pytest.raises(UnsupportedContent, match="application/pdf"):
        fetch(server.url("/doc"))


@pytest.mark.parametrize("content_type", ["image/png", None, "text/html"])
def test_png_is_unsupported(content_type, server, fetch):
    server.route("/img", png(content_type))
    with pytest.raises(UnsupportedContent, match="PNG"):
        fetch(server.url("/img"))


def test_declared_binary_type_is_refused_without_reading(server, fetch):
    server.route("/zip", Reply(200, b"not read", [("Content-Type", "application/zip")]))
    with pytest.raises(UnsupportedContent, match="application/zip"):
        fetch(server.url("/zip"))


def test_nul_bytes_without_type_are_binary(server, fetch):
    server.route("/bin", Reply(200, b"\x00\x01\x02\x03" * 10))
    with pytest.raises(UnsupportedContent, match="octet-stream"):
        fetch(server.url("/bin"))


def test_missing_type_with_html_body_is_accepted(server, fetch):
    server.route("/", Reply(200, b"<!doctype html><title>t</title>"))
    page = fetch(server.url("/"))
    assert page.content_type == "text/html"


def test_server_errors_are_fetch_errors():
    assert issubclass(HTTPStatusError, FetchError)
    assert PDF_BYTES.startswith(b"%PDF") and PNG_BYTES.startswith(b"\x89PNG")


def test_transports_share_one_tls_context_per_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from scraper.fetching.transport import shared_ssl_context

    plain = FetchConfig()
    assert shared_ssl_context(plain) is shared_ssl_context(
        dataclasses.replace(plain, concurrency=3)
    )
    # httpcore sets the offered protocols on the context: HTTP/2 gets its own
    assert shared_ssl_context(plain) is not shared_ssl_context(
        dataclasses.replace(plain, http2=True)
    )
    assert shared_ssl_context(plain) is not shared_ssl_context(
        dataclasses.replace(plain, verify=False)
    )
    # trust_env reads the certificate paths from the environment: a change is seen
    trusting = dataclasses.replace(plain, trust_env=True)
    first = shared_ssl_context(trusting)
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent-certs")
    assert shared_ssl_context(trusting) is not first
