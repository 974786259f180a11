"""Deadlines: one total deadline per fetch covers connect, headers, body, retries and redirects."""

from __future__ import annotations

import time

import pytest

from scraper.errors import DeadlineExceeded
from tests.hostile.cases import head, reply
from tests.hostile.server import Conn, Request

#: How far past its deadline a fetch may end (scheduling, closing the socket).
SLACK = 0.5


def _timed(fetch, url, **changes):
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="deadline") as info:
        fetch(url, **changes)
    return time.monotonic() - started, info.value


@pytest.mark.parametrize(
    "path", ["/trickle-body", "/trickle-headers", "/silent", "/endless-chunks"]
)
def test_slow_servers_end_at_the_deadline(path, hostile, fetch):
    # Each read comes well within the read timeout: only the total deadline can stop it.
    elapsed, error = _timed(fetch, hostile.url(path), timeout=1.0, read_timeout=5.0)
    assert 1.0 <= elapsed < 1.0 + SLACK
    assert error.url == hostile.url(path)
    assert hostile.hits(path) == 1


def test_deadline_covers_retries(hostile, fetch):
    def late_503(conn: Conn, request: Request) -> None:
        conn.wait(0.4)
        reply(b"busy", status=503)(conn, request)

    hostile.route("/busy", late_503)
    # Attempts start at ~0, 0.4 and 0.8 s; the third would answer at 1.2 s.
    elapsed, _ = _timed(fetch, hostile.url("/busy"), timeout=1.0, retries=10, obey_robots=False)
    assert elapsed < 1.0 + SLACK
    assert hostile.hits("/busy") == 3


def test_deadline_covers_redirect_chains(hostile, fetch):
    def slow_hop(conn: Conn, request: Request) -> None:
        n = int(request.target.rsplit("=", 1)[1])
        conn.wait(0.3)
        conn.send(head(302, [("Location", f"/hop?n={n + 1}"), ("Content-Length", "0")]))

    hostile.route("/hop", slow_hop)
    elapsed, _ = _timed(fetch, hostile.url("/hop?n=0"), timeout=1.0, obey_robots=False)
    assert elapsed < 1.0 + SLACK
    assert 3 <= hostile.hits("/hop") <= 4


def test_deadline_covers_robots_and_page_together(hostile, fetch):
    def slow_robots(conn: Conn, request: Request) -> None:
        conn.wait(0.2)
        reply(b"User-agent: *\nAllow: /\n", headers=[("Content-Type", "text/plain")])(conn, request)

    hostile.route("/robots.txt", slow_robots)
    # robots.txt takes 0.2 s of the 1 s (its own limit is 0.5 s), the trickling page the rest.
    elapsed, _ = _timed(fetch, hostile.url("/trickle-body"), timeout=1.0, read_timeout=5.0)
    assert elapsed < 1.0 + SLACK
    assert hostile.hits("/robots.txt") == 1
