"""Decompress a response body ourselves, in bounded steps, under the size cap.

httpx decodes ``Content-Encoding`` one network chunk at a time, and one
64 KiB chunk of a gzip bomb inflates to about 64 MB before a caller can count
it.  So we read the raw bytes (``response.aiter_raw()``) and decode them here:
each decoder hands on at most about ``STEP`` bytes per call (zlib's
``max_length``, brotli's ``output_buffer_limit``; zstd input is fed in small
slices, never more than one to a decoder call, and a zstd block holds at
most 128 KiB, so a slice yields at most 1 MiB), and every byte reaching the
end of the chain is counted against the cap before the next step runs.
Memory stays at about the cap plus one step per layer, whatever the body
claims.  The raw bytes are capped as well (:func:`raw_cap`), and ``ended``
tells the reader when the outer stream is over, so that padding which
decodes to nothing cannot stream on until the deadline.

Encodings: gzip (also x-gzip, several members), deflate (zlib-wrapped or raw,
as servers send both), br, zstd (several frames), identity; stacked ones
(``Content-Encoding: gzip, br``) are undone last-applied first, up to
:data:`MAX_LAYERS`.  A compressed stream that stops before its end is a
:class:`TruncatedBody`; bytes that do not decode, or an unknown encoding,
a :class:`ContentEncodingError`.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from typing import Final, Protocol

import brotli  # type: ignore[import-untyped]  # ships no type hints
import httpx
import zstandard

from scraper.errors import BodyTooLarge, ContentEncodingError, TruncatedBody

__all__ = [
    "MAX_LAYERS",
    "STEP",
    "BodyDecoder",
    "CapReached",
    "content_encodings",
    "raw_cap",
    "split_encodings",
]

logger = logging.getLogger(__name__)

#: Output handed on per decoding step, in bytes.
STEP: Final = 64 * 1024
#: Most stacked encodings we undo; more is a ContentEncodingError.
MAX_LAYERS: Final = 3
#: zstd input is fed in slices this long: at most 8 blocks of 128 KiB each.
_ZSTD_SLICE: Final = 32

_GZIP: Final = frozenset({"gzip", "x-gzip"})
_GZIP_MAGIC: Final = b"\x1f\x8b"
#: Largest zstd window we allocate (RFC 9659: HTTP decoders need no more than 8 MB).
_ZSTD_WINDOW: Final = 8 * 1024 * 1024
_KNOWN: Final = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})


class CapReached(Exception):  # an internal signal: it never leaves the fetching package
    """The decoded body reached the cap in truncating mode (robots.txt)."""


class _Sink(Protocol):
    @property
    def ended(self) -> bool: ...

    def write(self, data: bytes) -> None: ...

    def finish(self) -> None: ...


def content_encodings(headers: httpx.Headers) -> list[str]:
    """The codings of a response, in the order they were applied, identity dropped.

    >>> content_encodings(httpx.Headers([("Content-Encoding", "gzip, BR"), ("content-encoding", "identity")]))
    ['gzip', 'br']
    """  # noqa: E501
    return split_encodings(headers.get("content-encoding"))


def split_encodings(value: str | None) -> list[str]:
    """The codings of a ``Content-Encoding`` value (repeats joined by ", "), identity dropped.

    Why a value and not the headers: the fetcher already holds the head as a
    dict (``Headers.get`` joins repeated headers with ", ", so splitting on
    commas gives every coding of every repeat, in order).

    >>> split_encodings("gzip, BR, identity"), split_encodings(None)
    (['gzip', 'br'], [])
    """
    if not value:
        return []
    codings = []
    for part in value.split(","):
        token = part.strip().lower()
        if token and token != "identity":
            codings.append(token)
    return codings


class _Collector:
    """The end of the chain: keeps the decoded body and enforces the cap."""

    def __init__(self, cap: int, url: str, *, truncate: bool) -> None:
        self.cap = cap
        self._url = url
        self._truncate = truncate
        self._parts: list[bytes] = []
        self.size = 0

    @property
    def ended(self) -> bool:
        """A body without content coding ends where the transfer ends."""
        return False

    def write(self, data: bytes) -> None:
        if not data:
            return
        room = self.cap - self.size
        if len(data) > room:
            if self._truncate:
                self._parts.append(data[:room])
                self.size = self.cap
                raise CapReached
            raise BodyTooLarge(
                f"{self._url} is larger than the {self.cap} byte cap once decoded "
                f"(more than {self.size + len(data)} bytes); raise it with --max-size "
                "(FetchConfig.max_size) if you need this page",
                url=self._url,
            )
        self._parts.append(data)
        self.size += len(data)

    def finish(self) -> None:
        pass

    def body(self) -> bytes:
        return b"".join(self._parts)


class _Layer:
    """Shared by the decoders: where output goes, and the errors they raise."""

    name = ""

    def __init__(self, sink: _Sink, url: str) -> None:
        self._sink = sink
        self._url = url

    def _broken(self, exc: Exception) -> ContentEncodingError:
        return ContentEncodingError(
            f"{self._url} sent a body that does not decode as {self.name} ({exc}); "
            "the server is broken (its Content-Encoding is wrong)",
            url=self._url,
        )

    def _cut(self) -> TruncatedBody:
        return TruncatedBody(
            f"{self._url} sent a {self.name} body that stops before its end; "
            "the transfer was cut short (try again later)",
            url=self._url,
        )


class _Zlib(_Layer):
    """gzip (several members) and deflate (zlib-wrapped, or raw as IIS sends it)."""

    def __init__(self, sink: _Sink, url: str, coding: str) -> None:
        super().__init__(sink, url)
        self.name = "gzip" if coding in _GZIP else coding
        self._wbits = zlib.MAX_WBITS | 16 if coding in _GZIP else zlib.MAX_WBITS
        self._decoder = zlib.decompressobj(self._wbits)
        self._started = False  # input given to this layer
        self._framed = self.name == "gzip"  # for deflate: zlib wrapper or not, once told
        self._between = False  # a stream ended; another gzip member may follow
        self._ignoring = False  # what follows the stream is not ours: dropped
        self._pending = b""  # bytes held until the next chunk tells what they are

    @property
    def ended(self) -> bool:
        """The compressed stream is over: whatever else the server sends is not read."""
        return self._ignoring or (self.name != "gzip" and self._decoder.eof)

    def write(self, data: bytes) -> None:
        if data:
            self._started = True
        try:
            self._write(self._pending + data)
        except zlib.error as exc:
            raise self._broken(exc) from exc

    def _write(self, data: bytes) -> None:
        self._pending = b""
        if not self._framed:
            # "deflate" is zlib-wrapped (RFC 9110) or raw (IIS, old servers): the
            # two-byte zlib header tells, so wait for two bytes whatever the chunking.
            if len(data) < 2:
                self._pending = data
                return
            if not _zlib_header(data):
                self._wbits = -zlib.MAX_WBITS
                self._decoder = zlib.decompressobj(self._wbits)
            self._framed = True
        while not self._ignoring:
            if self._decoder.eof:
                if not data and not self._decoder.unused_data:
                    return  # the stream ended with the input: keep it ended
                data = self._decoder.unused_data + data
                self._decoder = zlib.decompressobj(self._wbits)
                self._between = True
            if self._between:
                if len(data) < len(_GZIP_MAGIC) and _GZIP_MAGIC.startswith(data):
                    self._pending = data  # wait for the next chunk to tell
                    return
                if self.name != "gzip" or not data.startswith(_GZIP_MAGIC):
                    # Padding or garbage after the stream: ignored, as browsers do.
                    self._ignoring = True
                    return
                self._between = False  # another gzip member: same body
            out = self._decoder.decompress(data, STEP)
            if out:
                self._sink.write(out)
            data = self._decoder.unconsumed_tail
            if not data and len(out) < STEP and not self._decoder.eof:
                return  # all input taken and nothing left pending

    def finish(self) -> None:
        complete = self._decoder.eof or self._between or self._ignoring
        if self._started and not complete:
            raise self._cut()
        self._sink.finish()


def _zlib_header(data: bytes) -> bool:
    """Whether ``data`` starts with a zlib header (RFC 1950) we can decode.

    Method 8 (deflate), a window of at most 32 KiB, no preset dictionary,
    and the check bits right.  A raw deflate stream almost never passes: its
    first byte would have to start a stored block with non-zero padding.

    >>> _zlib_header(zlib.compress(b"x")), _zlib_header(zlib.compress(b"x")[2:])
    (True, False)
    """
    cmf, flg = data[0], data[1]
    return cmf & 0x0F == 8 and cmf >> 4 <= 7 and not flg & 0x20 and (cmf << 8 | flg) % 31 == 0


class _Brotli(_Layer):
    name = "br"

    def __init__(self, sink: _Sink, url: str) -> None:
        super().__init__(sink, url)
        self._decoder = brotli.Decompressor()
        self._started = False

    @property
    def ended(self) -> bool:
        """The brotli stream is over (anything after it would not decode)."""
        return bool(self._decoder.is_finished())

    def write(self, data: bytes) -> None:
        if not data:
            return
        self._started = True
        try:
            out = self._decoder.process(data, output_buffer_limit=STEP)
            self._sink.write(out)
            while not self._decoder.can_accept_more_data():
                self._sink.write(self._decoder.process(b"", output_buffer_limit=STEP))
        except brotli.error as exc:
            raise self._broken(exc) from exc

    def finish(self) -> None:
        if self._started and not self._decoder.is_finished():
            raise self._cut()
        self._sink.finish()


class _Zstd(_Layer):
    """zstd, several frames (skippable ones included), fed ``_ZSTD_SLICE`` bytes a call.

    A zstd decoder hands back everything one call's input decodes to, with no
    output limit, and stops at the end of a frame, keeping the rest as
    ``unused_data``.  So no decoder is ever given more than one small slice:
    what is left after a frame's end (at most a slice) starts the next
    decoder on its own, before any new input.  (Prepending it to the next
    slice instead lets a run of tiny frames pile up input until one call is
    handed a whole bomb frame.)
    """

    name = "zstd"

    def __init__(self, sink: _Sink, url: str) -> None:
        super().__init__(sink, url)
        # A frame may ask for a window of up to 2 GiB, allocated at once: refuse that.
        self._factory = zstandard.ZstdDecompressor(max_window_size=_ZSTD_WINDOW)
        self._decoder = self._factory.decompressobj()
        self._open = False  # the current decoder was given input: a frame is under way

    @property
    def ended(self) -> bool:
        """Never known: another frame may always follow."""
        return False

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        pos = 0
        try:
            while True:
                if self._decoder.eof:
                    rest = self._decoder.unused_data
                    if not rest and pos >= len(view):
                        return  # keep the finished decoder: the body may end here
                    self._decoder = self._factory.decompressobj()
                    self._open = False
                    piece = rest if rest else bytes(view[pos : pos + _ZSTD_SLICE])
                    if not rest:
                        pos += _ZSTD_SLICE
                elif pos < len(view):
                    piece = bytes(view[pos : pos + _ZSTD_SLICE])
                    pos += _ZSTD_SLICE
                else:
                    return
                self._open = True
                self._sink.write(self._decoder.decompress(piece))
        except zstandard.ZstdError as exc:
            raise self._broken(exc) from exc

    def finish(self) -> None:
        # write() leaves no unused input behind, so a frame under way that has
        # not reached its end is a frame cut short (or the start of garbage).
        if self._open and not self._decoder.eof:
            raise self._cut()
        self._sink.finish()


def raw_cap(cap: int) -> int:
    """Raw (still encoded) bytes we read for a body whose decoded cap is ``cap``.

    Compression can make incompressible data a little larger (deflate's
    stored blocks add 5 bytes per 64 KiB, zstd's raw blocks 3 per 128 KiB),
    so the raw cap leaves 1 % and 4 KiB of room; anything beyond is padding
    that decodes to nothing (empty blocks, skippable frames, an endless gzip
    file name), which would otherwise stream until the deadline.

    >>> raw_cap(10 * 1024 * 1024)
    10594713
    """
    return cap + cap // 100 + 4096


class BodyDecoder:
    """Raw body bytes in (``feed``), the decoded body out (``finish``), capped.

    Both sizes are capped: the decoded body at ``cap`` and the raw bytes fed
    at :func:`raw_cap` of it.  With ``truncate`` the body stops at a cap
    (:class:`CapReached` is raised by ``feed``; ``body()`` holds what was
    decoded, at most the first ``cap`` bytes); without it, going over a cap
    raises :class:`BodyTooLarge`.  ``ended`` tells the reader that the
    outermost compressed stream is over, so the rest need not be read.
    """

    def __init__(
        self, codings: Sequence[str], cap: int, url: str, *, truncate: bool = False
    ) -> None:
        unknown = [c for c in codings if c not in _KNOWN]
        if unknown:
            raise ContentEncodingError(
                f"{url} is sent with Content-Encoding {', '.join(unknown)}, which we do not "
                f"decode (we decode {', '.join(sorted(_KNOWN))})",
                url=url,
            )
        if len(codings) > MAX_LAYERS:
            raise ContentEncodingError(
                f"{url} stacks {len(codings)} content encodings ({', '.join(codings)}); "
                f"we undo at most {MAX_LAYERS}",
                url=url,
            )
        self._collector = _Collector(cap, url, truncate=truncate)
        self._url = url
        self._truncate = truncate
        # Without content coding the raw body is the body: the collector caps it.
        self._raw_cap = raw_cap(cap) if codings else None
        self._raw = 0
        sink: _Sink = self._collector
        # The first coding listed was applied first, so it is undone last.
        for coding in codings:
            if coding in _GZIP or coding == "deflate":
                sink = _Zlib(sink, url, coding)
            elif coding == "br":
                sink = _Brotli(sink, url)
            else:
                sink = _Zstd(sink, url)
        self._head = sink

    @property
    def size(self) -> int:
        """Decoded bytes so far."""
        return self._collector.size

    @property
    def raw_size(self) -> int:
        """Raw (encoded) bytes fed so far."""
        return self._raw

    @property
    def ended(self) -> bool:
        """The outermost compressed stream is over: what follows is dropped unread."""
        return self._head.ended

    def feed(self, raw: bytes) -> None:
        """Decode one chunk of the raw body (BodyTooLarge or CapReached past a cap)."""
        self._raw += len(raw)
        if self._raw_cap is not None and self._raw > self._raw_cap:
            if self._truncate:
                raise CapReached
            raise BodyTooLarge(
                f"{self._url} sent more than {self._raw_cap} raw bytes while its body "
                f"decoded to {self.size} bytes, over the cap for a {self._collector.cap} "
                "byte body (FetchConfig.max_size); the server is broken or hostile",
                url=self._url,
            )
        self._head.write(raw)

    def finish(self) -> bytes:
        """The whole decoded body, once the raw body ended; TruncatedBody if a stream did not."""
        self._head.finish()
        return self._collector.body()

    def body(self) -> bytes:
        """What was decoded so far (after CapReached: exactly the first ``cap`` bytes)."""
        return self._collector.body()
