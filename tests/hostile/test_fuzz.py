"""Fuzzing what a hostile server controls: whatever it sends, fetch raises only FetchError.

An exception outside the :class:`FetchError` tree (ValueError, OverflowError,
UnicodeError, an ExceptionGroup) is not a failed page but a dead crawl: the
crawler catches FetchError per URL and nothing else.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import FetchError
from tests.hostile.cases import head, reply
from tests.hostile.server import Conn, Request

#: Characters a header value can carry on the wire (latin-1, no CR/LF or other controls).
_HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"),
    max_size=80,
)

_HOSTS = st.sampled_from(
    [
        "127.0.0.1",
        "127.0.0.2",  # the canary: must be refused
        "[::1",
        "[::ffff:127.0.0.2]",
        "0x7f000002",
        "a" * 64 + ".example",
        "xn--",
        "xn--zz.example",
        "exa mple.test",
        "",
        "10.0.0.1",
        "169.254.169.254",
        "[fe80::1%25eth0]",
        "[v1.x]",
        "user:pw@127.0.0.2",
        "\u00e9.test",
        "..",
    ]
)
_PORTS = st.one_of(
    st.just(""),
    st.integers(-1, 10**6).map(lambda n: f":{n}"),
    _HEADER_TEXT.map(lambda t: f":{t[:8]}"),
)
_LOCATIONS = st.one_of(
    _HEADER_TEXT,
    st.builds(
        "{}://{}{}/{}".format,
        st.sampled_from(["http", "https", "HTTP", "ftp", "file", "data", "javascript", ""]),
        _HOSTS,
        _PORTS,
        _HEADER_TEXT,
    ),
)
_RETRY_AFTER = st.one_of(
    _HEADER_TEXT,
    st.integers(-(10**30), 10**30).map(str),
    st.text(st.sampled_from("0123456789\u00b2\u00b3\u00b9\u00bc\u00bd. -+eE"), max_size=30),
    st.builds(
        "{}, {:02d} {} {} {:02d}:00:00 GMT".format,
        st.sampled_from(["Mon", "Fri", "Xyz"]),
        st.integers(0, 99),
        st.sampled_from(["Jan", "Dec", "Foo"]),
        st.integers(-1, 10**6),
        st.integers(0, 99),
    ),
)


def _fuzzed(location: str | None, retry_after: str | None, status: int):
    headers = [("Content-Length", "0")]
    if location is not None:
        headers.append(("Location", location))
    if retry_after is not None:
        headers.append(("Retry-After", retry_after))

    def handler(conn: Conn, request: Request) -> None:
        conn.send(head(status, headers))

    return handler


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    location=st.none() | _LOCATIONS,
    retry_after=st.none() | _RETRY_AFTER,
    status=st.sampled_from([301, 302, 303, 307, 308, 429, 503]),
    robots=st.booleans(),
)
def test_fetch_raises_only_fetch_errors(location, retry_after, status, robots, hostile, fetch):
    hostile.route("/page", _fuzzed(location, retry_after, status))
    # robots.txt gets the same answer, so that its own redirect handling is fuzzed too
    hostile.route("/robots.txt", _fuzzed(location, retry_after, status) if robots else reply())
    # Any other exception fails the test, and hypothesis shows the values that raised it.
    with contextlib.suppress(FetchError):  # typed, per URL: the one failure allowed
        fetch(
            hostile.url("/page"),
            retries=1,
            retry_after_cap=0.0,  # any wait is returned as RetryLaterError, not slept
            timeout=1.0,
            robots_timeout=0.3,
            obey_robots=robots,
        )
