"""Our own content decoding, fed in every chunking, against the stdlib and the cap."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.errors import BodyTooLarge, ContentEncodingError, TruncatedBody
from scraper.fetching.decoding import STEP, BodyDecoder, CapReached

BODY = ("<p>Grüße aus Köln, 東京 и Москва</p>\n" * 400).encode()

ENCODERS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def _decode(data: bytes, codings, cap=10**9, sizes=(4096,), truncate=False) -> bytes:
    decoder = BodyDecoder(codings, cap, "https://a.test/", truncate=truncate)
    i = 0
    for n in _cycle(sizes):
        if i >= len(data):
            break
        decoder.feed(data[i : i + n])
        i += n
    return decoder.finish()


def _cycle(sizes):
    while True:
        yield from sizes


@settings(max_examples=40, deadline=None)
@given(
    coding=st.sampled_from(sorted(ENCODERS)),
    sizes=st.lists(st.integers(1, 5000), min_size=1, max_size=5),
)
def test_any_chunking_decodes_exactly(coding, sizes):
    assert _decode(ENCODERS[coding](BODY), [coding], sizes=sizes) == BODY


def test_stacked_codings_are_undone_in_reverse():
    data = zstandard.ZstdCompressor().compress(brotli.compress(gzip.compress(BODY)))
    assert _decode(data, ["gzip", "br", "zstd"], sizes=(7, 300)) == BODY


def test_gzip_members_split_across_chunks():
    data = gzip.compress(BODY[:1000]) + gzip.compress(BODY[1000:])
    for size in (1, 13, 1000, len(data)):
        assert _decode(data, ["gzip"], sizes=(size,)) == BODY


def test_each_step_hands_on_at_most_about_step_bytes():
    seen = []

    class Probe:
        def write(self, data):
            seen.append(len(data))

        def finish(self):
            pass

    decoder = BodyDecoder(["gzip"], 10**9, "u")
    decoder._collector = Probe()  # peek at the chain's output, one step at a time
    decoder._head._sink = Probe()
    decoder.feed(gzip.compress(b"\0" * (8 * STEP)))
    assert max(seen) <= STEP
    assert sum(seen) == 8 * STEP


def test_cap_raises_or_truncates():
    data = gzip.compress(BODY)
    with pytest.raises(BodyTooLarge):
        _decode(data, ["gzip"], cap=1000)
    decoder = BodyDecoder(["gzip"], 1000, "u", truncate=True)
    with pytest.raises(CapReached):
        decoder.feed(data)
    assert decoder.body() == BODY[:1000]


def test_empty_encoded_body_is_empty():
    assert _decode(b"", ["gzip"]) == b""


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd", "deflate"])
def test_cut_streams_are_truncated(coding):
    data = ENCODERS[coding](BODY)
    with pytest.raises(TruncatedBody, match="stops before its end"):
        _decode(data[: len(data) // 2], [coding])


@pytest.mark.parametrize("coding", ["gzip", "br", "zstd"])
def test_garbage_is_a_content_encoding_error(coding):
    with pytest.raises(ContentEncodingError, match="does not decode"):
        _decode(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 4, [coding])
