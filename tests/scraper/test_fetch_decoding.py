"""Our own content decoding, fed in every chunking, against the stdlib and the cap."""

from __future__ import annotations

import gzip
import os
import struct
import tracemalloc
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


# -- zstd: many frames, each decoded in bounded steps ---------------------------------------

EMPTY_ZSTD = zstandard.ZstdCompressor().compress(b"")


def _zstd_rle_frame(blocks: int) -> bytes:
    """One zstd frame of ``blocks`` RLE blocks of 128 KiB each: 4 input bytes per 128 KiB."""
    out = bytearray(b"\x28\xb5\x2f\xfd\x00\x68")  # magic; no content size, 8 MiB window
    for i in range(blocks):
        last = 1 if i == blocks - 1 else 0
        out += struct.pack("<I", last | (1 << 1) | (128 * 1024 << 3))[:3] + b"A"
    return bytes(out)


def test_zstd_empty_frames_then_rle_bomb_stay_bounded():
    # Empty frames used to pile up in front of the next slice, so that the
    # bomb frame reached one decoder whole: 50 MiB in one call, past the cap.
    data = EMPTY_ZSTD * 2000 + _zstd_rle_frame(400)
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge):
            _decode(data, ["zstd"], cap=1024 * 1024, sizes=(65536,))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("size", [1, 7, 32, 4096])
def test_zstd_empty_frames_then_content_keep_the_content(size):
    data = EMPTY_ZSTD * 50 + zstandard.ZstdCompressor().compress(BODY) + EMPTY_ZSTD * 3
    assert _decode(data, ["zstd"], sizes=(size,)) == BODY


def test_zstd_two_frames_in_the_last_chunk_are_both_kept():
    z = zstandard.ZstdCompressor()
    assert _decode(z.compress(b"hello ") + z.compress(b"world"), ["zstd"]) == b"hello world"


def test_zstd_skippable_frames_decode_to_nothing():
    skippable = b"\x50\x2a\x4d\x18" + struct.pack("<I", 5) + b"12345"
    data = skippable + zstandard.ZstdCompressor().compress(BODY) + skippable
    assert _decode(data, ["zstd"], sizes=(3, 100)) == BODY


def test_zstd_cut_second_frame_is_truncated():
    z = zstandard.ZstdCompressor()
    data = z.compress(b"A" * 1000) + z.compress(b"B" * 1000)[:-3]
    with pytest.raises(TruncatedBody, match="zstd"):
        _decode(data, ["zstd"])


@pytest.mark.parametrize("tail", [b"garbage-garbage", b"\x28\xb5"])
def test_zstd_garbage_after_a_frame_is_reported(tail):
    data = zstandard.ZstdCompressor().compress(b"A" * 1000) + tail
    with pytest.raises((ContentEncodingError, TruncatedBody)):
        _decode(data, ["zstd"])


# -- deflate: zlib-wrapped or raw, told apart whatever the chunking ---------------------------


@pytest.mark.parametrize("sizes", [(1,), (1, 4096), (2, 1), (4096,)])
def test_raw_deflate_is_recognised_after_a_one_byte_first_chunk(sizes):
    raw = zlib.compress(BODY)[2:-4]
    assert _decode(raw, ["deflate"], sizes=sizes) == BODY
    assert _decode(zlib.compress(BODY), ["deflate"], sizes=sizes) == BODY


def test_one_byte_of_deflate_is_truncated():
    with pytest.raises(TruncatedBody):
        _decode(b"\x78", ["deflate"])


# -- raw bytes: capped too, and not read past the end of the stream --------------------------


def test_junk_after_the_gzip_stream_ends_the_body():
    decoder = BodyDecoder(["gzip"], 10**6, "u")
    decoder.feed(gzip.compress(BODY))
    assert not decoder.ended  # another gzip member could follow
    decoder.feed(b"\0" * 100)
    assert decoder.ended
    assert decoder.finish() == BODY


def test_deflate_ends_with_its_stream():
    decoder = BodyDecoder(["deflate"], 10**6, "u")
    decoder.feed(zlib.compress(BODY))
    assert decoder.ended


@pytest.mark.parametrize(
    ("coding", "prefix", "filler"),
    [
        ("gzip", b"\x1f\x8b\x08\x08\0\0\0\0\0\xff", b"a" * 4096),  # an endless file name
        ("deflate", b"", b"\x00\x00\x00\xff\xff" * 800),  # empty stored blocks
        ("zstd", b"", b"\x50\x2a\x4d\x18" + struct.pack("<I", 4088) + b"s" * 4088),  # skippable
    ],
)
def test_raw_bytes_that_decode_to_nothing_are_capped(coding, prefix, filler):
    decoder = BodyDecoder([coding], 100_000, "u")
    decoder.feed(prefix)
    with pytest.raises(BodyTooLarge, match="raw"):
        for _ in range(200):  # 800 KB of raw bytes, 8 times the cap
            decoder.feed(filler)
    assert decoder.size == 0


def test_raw_cap_leaves_room_for_incompressible_bodies():
    body = os.urandom(100_000)
    assert _decode(gzip.compress(body), ["gzip"], cap=100_000) == body


def test_raw_cap_in_truncating_mode_stops_quietly():
    decoder = BodyDecoder(["deflate"], 1000, "u", truncate=True)
    with pytest.raises(CapReached):
        for _ in range(100):
            decoder.feed(b"\x00\x00\x00\xff\xff" * 100)
    assert decoder.body() == b""


def _outcome(data: bytes, coding: str, sizes) -> bytes | str:
    """What decoding gives: the body, or the name of our error (nothing else may escape)."""
    try:
        return _decode(data, [coding], sizes=sizes)
    except (ContentEncodingError, TruncatedBody) as exc:
        return type(exc).__name__


@settings(max_examples=150, deadline=None)
@given(
    coding=st.sampled_from(["gzip", "deflate", "raw-deflate"]),
    cut=st.integers(0, 400),
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), max_size=3),
    tail=st.binary(max_size=20),
    sizes=st.lists(st.integers(1, 700), min_size=1, max_size=4),
)
def test_damaged_zlib_streams_fail_the_same_way_in_any_chunking(coding, cut, flips, tail, sizes):
    """gzip and deflate streams, cut, with bytes flipped or junk after them: the
    outcome does not depend on how the body arrived, and only our errors come out."""
    body = BODY[: 200 + cut * 7]
    if coding == "raw-deflate":
        packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data = bytearray(packer.compress(body) + packer.flush())
        coding = "deflate"
    else:
        data = bytearray(ENCODERS[coding](body))
    for at, mask in flips:
        data[at % len(data)] ^= mask
    damaged = bytes(data[: max(1, len(data) - cut)]) + tail
    whole = _outcome(damaged, coding, (len(damaged),))
    assert _outcome(damaged, coding, sizes) == whole
    if not flips and cut == 0 and not tail:
        assert whole == body
