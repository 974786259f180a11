"""Sizes: the decoded body cap holds while streaming, after (our own) decompression."""

from __future__ import annotations

import tracemalloc

import pytest

from scraper.errors import BodyTooLarge, ContentEncodingError, HeadersTooLarge, InvalidURL
from tests.hostile.cases import PAGE, head

CAP = 1024 * 1024


@pytest.mark.parametrize("path", ["/gzip-bomb", "/deflate-bomb", "/br-bomb", "/zstd-bomb"])
def test_bombs_stop_at_the_cap_in_bounded_memory(path, hostile, fetch):
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge, match="cap once decoded"):
            fetch(hostile.url(path), max_size=CAP, obey_robots=False, timeout=2.0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The body held (1 MiB) plus a few decoding steps; httpx alone inflates
    # a whole 64 KiB network chunk at once (tens of MB for these bombs).
    assert peak < 8 * CAP, f"peak {peak / CAP:.1f} MiB"
    assert hostile.hits(path) == 1  # a size error is not retried


def test_nested_bomb_stops_at_the_cap(hostile, fetch):
    with pytest.raises(BodyTooLarge):
        fetch(hostile.url("/nested-bomb"), max_size=CAP, obey_robots=False, timeout=2.0)


@pytest.mark.parametrize(
    "path",
    [
        "/gzip",
        "/x-gzip",
        "/deflate-zlib",
        "/deflate-raw",
        "/br",
        "/zstd",
        "/gzip-then-br",
        "/three-layers",
        "/gzip-members",
    ],
)
def test_encoded_pages_decode_exactly(path, hostile, fetch):
    page = fetch(hostile.url(path), obey_robots=False)
    assert page.content == PAGE
    assert "the right text" in page.text


def test_zstd_window_over_8_mib_is_refused(hostile, fetch):
    with pytest.raises(ContentEncodingError, match="zstd"):
        fetch(hostile.url("/zstd-wide-window"), obey_robots=False)


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("/four-layers", "at most 3"),
        ("/unknown-coding", "compress"),
        ("/corrupt-gzip", "does not decode as gzip"),
    ],
)
def test_undecodable_bodies(path, match, hostile, fetch):
    with pytest.raises(ContentEncodingError, match=match):
        fetch(hostile.url(path), obey_robots=False)
    assert hostile.hits(path) == 1


@pytest.mark.parametrize("path", ["/big-declared", "/big-close-delimited", "/big-chunked"])
def test_plain_bodies_over_the_cap(path, hostile, fetch):
    with pytest.raises(BodyTooLarge, match="max-size"):
        fetch(hostile.url(path), max_size=100_000, obey_robots=False)


def test_headers_over_the_cap(hostile, fetch):
    with pytest.raises(HeadersTooLarge, match="max_header_bytes"):
        fetch(hostile.url("/fat-headers"), max_header_bytes=16 * 1024, obey_robots=False)
    assert fetch(hostile.url("/fat-headers"), obey_robots=False).content == PAGE  # 64 KiB cap


def test_endless_headers_hit_the_parser_limit(hostile, fetch):
    with pytest.raises(HeadersTooLarge, match="100 KiB"):
        fetch(hostile.url("/endless-headers"), obey_robots=False)
    assert hostile.hits("/endless-headers") == 1  # not retried


def test_url_over_the_cap_is_never_requested(hostile, fetch):
    url = hostile.url("/" + "a" * 9000)
    with pytest.raises(InvalidURL, match="8192 character"):
        fetch(url)
    assert hostile.connections == 0


def test_redirect_to_a_url_over_the_cap(hostile, fetch):
    hostile.route(
        "/to-long",
        lambda c, r: c.send(head(302, [("Location", "/" + "b" * 3000), ("Content-Length", "0")])),
    )
    with pytest.raises(InvalidURL, match="max_url_length"):
        fetch(hostile.url("/to-long"), max_url_length=2048, obey_robots=False)
    assert hostile.hits("/to-long") == 1
    assert len(hostile.requests) == 1
