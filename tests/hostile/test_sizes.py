"""Sizes: the decoded body cap holds while streaming, after (our own) decompression."""

from __future__ import annotations

import gzip
import struct
import time
import tracemalloc
import zlib

import pytest

from scraper.errors import (
    BodyTooLarge,
    ContentEncodingError,
    HeadersTooLarge,
    InvalidURL,
    TruncatedBody,
)
from tests.hostile.cases import PAGE, endless_after, head

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


# -- raw bytes are capped too, and not read past the end of the compressed stream ----------

RAW_BOUND = 16 * CAP  # the cap, plus what the two kernels' socket buffers can hold

ENDLESS = {
    # junk after the end of the gzip stream: the page is whole, the rest is dropped unread
    "gzip-trailer": ("gzip", gzip.compress(PAGE), b"\0" * 65536),
    # an endless gzip file-name field: no output, ever
    "gzip-name": ("gzip", b"\x1f\x8b\x08\x08\0\0\0\0\0\xff", b"a" * 65536),
    # empty stored deflate blocks, forever
    "deflate-empty": ("deflate", zlib.compress(b"")[:2], b"\x00\x00\x00\xff\xff" * 13107),
    # zstd skippable frames, forever
    "zstd-skippable": (
        "zstd",
        b"",
        b"\x50\x2a\x4d\x18" + struct.pack("<I", 65528) + b"s" * 65528,
    ),
}


def test_junk_after_the_gzip_stream_is_not_read(hostile, fetch):
    sent: list[int] = []
    coding, prefix, filler = ENDLESS["gzip-trailer"]
    hostile.route("/trailer", endless_after(coding, prefix, filler, sent))
    page = fetch(hostile.url("/trailer"), max_size=CAP, obey_robots=False)
    assert page.content == PAGE
    hostile.stop()  # wake the handler, so that it records what it sent
    assert sent[0] < RAW_BOUND, f"{sent[0] / CAP:.0f} MiB sent"


@pytest.mark.parametrize("case", ["gzip-name", "deflate-empty", "zstd-skippable"])
def test_raw_bytes_that_decode_to_nothing_stop_at_the_cap(case, hostile, fetch):
    sent: list[int] = []
    coding, prefix, filler = ENDLESS[case]
    hostile.route("/padding", endless_after(coding, prefix, filler, sent))
    started = time.monotonic()
    with pytest.raises(BodyTooLarge, match="raw bytes"):
        fetch(hostile.url("/padding"), max_size=CAP, obey_robots=False, timeout=2.0)
    assert time.monotonic() - started < 1.0  # stopped by the cap, not the deadline
    hostile.stop()
    assert sent[0] < RAW_BOUND, f"{sent[0] / CAP:.0f} MiB sent"
    assert hostile.hits("/padding") == 1  # a size error is not retried


def test_truncated_stream_that_decoded_to_nothing_is_not_retried(hostile, fetch):
    # 400 KB of gzip file name, then the end: built that way, not cut by the network.
    # (A short compressed body cut before any output is still retried: test_truncation.)
    sent: list[int] = []
    coding, prefix, filler = ENDLESS["gzip-name"]
    hostile.route("/name", endless_after(coding, prefix, filler, sent, then_close=True))
    with pytest.raises(TruncatedBody, match="gzip"):
        fetch(hostile.url("/name"), max_size=CAP, obey_robots=False)
    assert hostile.hits("/name") == 1
