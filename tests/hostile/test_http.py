"""HTTP: Retry-After obeyed exactly, 4xx not retried, per-host retry budgets."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import email.utils
import time

import pytest

from scraper.errors import HTTPStatusError, NetworkError, RetryLaterError
from scraper.fetching.client import Fetcher
from scraper.fetching.retry import MAX_RETRY_AFTER, parse_retry_after
from tests.hostile.cases import reply
from tests.hostile.conftest import FAST, FakeResolver, guarded
from tests.hostile.server import Conn, Request


def _stamped(replies):
    """A handler answering ``replies`` in turn (the last repeats), noting when each came."""
    stamps: list[float] = []

    def handler(conn: Conn, request: Request) -> None:
        stamps.append(time.time())
        replies[min(len(stamps), len(replies)) - 1](conn, request)

    return handler, stamps


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_seconds_is_never_cut_short(status, hostile, fetch):
    handler, stamps = _stamped(
        [reply(b"wait", status=status, headers=[("Retry-After", "1")]), reply(b"<p>ok</p>")]
    )
    hostile.route("/", handler)
    page = fetch(hostile.url("/"), obey_robots=False, timeout=2.0)
    assert page.text == "<p>ok</p>"
    assert page.retries == {str(status): 1}
    assert stamps[1] - stamps[0] >= 1.0


def test_retry_after_http_date_is_never_cut_short(hostile, fetch):
    when = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=2)
    date = email.utils.format_datetime(when, usegmt=True)
    handler, stamps = _stamped(
        [reply(b"wait", status=503, headers=[("Retry-After", date)]), reply(b"<p>ok</p>")]
    )
    hostile.route("/", handler)
    fetch(hostile.url("/"), obey_robots=False, timeout=2.0, retry_after_cap=2.0)
    assert stamps[1] >= when.timestamp()


def test_retry_after_past_the_cap_is_returned_at_once(hostile, fetch):
    hostile.route("/", reply(b"later", status=429, headers=[("Retry-After", "86400")]))
    started = time.monotonic()
    with pytest.raises(RetryLaterError, match="retry after 86400 s") as info:
        fetch(hostile.url("/"), obey_robots=False)
    assert time.monotonic() - started < 0.5
    assert info.value.retry_at > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)
    assert hostile.hits("/") == 1


def test_retry_after_past_the_deadline_is_returned_at_once(hostile, fetch):
    hostile.route("/", reply(b"later", status=503, headers=[("Retry-After", "5")]))
    with pytest.raises(RetryLaterError, match="deadline"):
        fetch(hostile.url("/"), obey_robots=False, retry_after_cap=10.0)
    assert hostile.hits("/") == 1


def test_unreadable_retry_after_falls_back_to_backoff(hostile, fetch):
    handler, _ = _stamped(
        [reply(b"x", status=503, headers=[("Retry-After", "soon-ish")]), reply(b"<p>ok</p>")]
    )
    hostile.route("/", handler)
    assert fetch(hostile.url("/"), obey_robots=False).retries == {"503": 1}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 418, 451])
def test_4xx_other_than_429_is_final(status, hostile, fetch):
    hostile.route("/", reply(b"no", status=status))
    with pytest.raises(HTTPStatusError) as info:
        fetch(hostile.url("/"), obey_robots=False, retries=3)
    assert info.value.status == status
    assert not isinstance(info.value, RetryLaterError)
    assert hostile.hits("/") == 1


def test_retry_budget_is_per_host(hostile, net):
    """A host that keeps failing loses its retries; another host keeps its own."""
    hostile.route("/down", reply(b"down", status=503))
    hostile.route("/up", reply(b"<p>up</p>"))
    resolver = FakeResolver({"sick.test": ["127.0.0.1"], "well.test": ["127.0.0.1"]})
    cfg = dataclasses.replace(FAST, retries=2, retry_budget=3, obey_robots=False)
    sick = f"http://sick.test:{hostile.port}/down"
    well = f"http://well.test:{hostile.port}/down"

    async def go():
        errors = []
        async with Fetcher(cfg, transport=guarded(cfg, net, resolver)) as fetcher:
            for url in (sick, sick, sick, well):
                with pytest.raises(HTTPStatusError) as info:
                    await fetcher.fetch(url)
                errors.append(info.value)
        return errors

    errors = asyncio.run(go())
    # sick.test: 2 retries, then 1 (budget 3 spent), then none; well.test: its own 2.
    assert hostile.hits("/down") == 3 + 2 + 1 + 3
    assert "retry budget" in str(errors[2])
    assert "retry budget" not in str(errors[3])


def test_connection_errors_are_retried_and_typed(hostile, fetch):
    with pytest.raises(NetworkError, match="could not fetch"):
        fetch(hostile.url("/close-before-answer"), obey_robots=False, retries=2)
    assert hostile.hits("/close-before-answer") == 3


# -- Retry-After values that are not plain numbers or dates ------------------------------


@pytest.mark.parametrize("value", ["999999999999", "9" * 400, "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_huge_retry_after_is_clamped_not_a_crash(value, hostile, fetch):
    hostile.route("/", reply(b"later", status=503, headers=[("Retry-After", value)]))
    with pytest.raises(RetryLaterError, match="retry after") as info:
        fetch(hostile.url("/"), obey_robots=False)
    assert info.value.retry_at.year <= 9999
    assert hostile.hits("/") == 1


@pytest.mark.parametrize("value", ["\u00b2", "\u00b9\u00b3", "1\u00bd", "-5", "+5", "1e3", "0x10"])
def test_retry_after_that_is_not_ascii_digits_is_ignored(value, hostile, fetch):
    handler, _ = _stamped(
        [reply(b"x", status=429, headers=[("Retry-After", value)]), reply(b"<p>ok</p>")]
    )
    hostile.route("/", handler)
    assert fetch(hostile.url("/"), obey_robots=False).retries == {"429": 1}


def test_parse_retry_after_clamps_and_reads_ascii_only():
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    assert parse_retry_after("\u00b2", now) is None
    assert parse_retry_after("١٢", now) is None  # Arabic-Indic digits
    assert parse_retry_after("  7 ", now) == 7.0
    huge = parse_retry_after("9" * 400, now)
    assert huge is not None
    assert huge == MAX_RETRY_AFTER
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", now) == MAX_RETRY_AFTER
