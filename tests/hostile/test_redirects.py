"""Redirects: a limit, loop detection, and meta refresh (returned, never followed)."""

from __future__ import annotations

import pytest

from scraper.errors import TooManyRedirects
from tests.hostile.cases import head
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
