"""Decompress a response body ourselves, in bounded steps, under the size cap.

httpx decodes ``Content-Encoding`` one network chunk at a time, and one
64 KiB chunk of a gzip bomb inflates to about 64 MB before a caller can count
it.  So we read the raw bytes (``response.aiter_raw()``) and decode them here:
each decoder hands on at most about ``STEP`` bytes per call (zlib's
``max_length``, brotli's ``output_buffer_limit``; zstd input is fed in small
slices, and a zstd block holds at most 128 KiB, so a slice yields at most
about 1 MiB), and every byte reaching the end of the chain is counted
against the cap before the next step runs.  Memory stays at about the cap
plus one step per layer, whatever the body claims.

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

__all__ = ["MAX_LAYERS", "STEP", "BodyDecoder", "CapReached", "content_encodings"]

logger = logging.getLogger(__name__)

#: Output handed on per decoding step, in bytes.
STEP: Final = 64 * 1024
#: Most stacked encodings we undo; more is a ContentEncodingError.
MAX_LAYERS: Final = 3
#: zstd input is fed in slices this long: at most 9 blocks of 128 KiB each.
_ZSTD_SLICE: Final = 32

_GZIP: Final = frozenset({"gzip", "x-gzip"})
_GZIP_MAGIC: Final = b"\x1f\x8b"
#: Largest zstd window we allocate (RFC 9659: HTTP decoders need no more than 8 MB).
_ZSTD_WINDOW: Final = 8 * 1024 * 1024
_KNOWN: Final = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})


class CapReached(Exception):  # an internal signal: it never leaves the fetching package
    """The decoded body reached the cap in truncating mode (robots.txt)."""


class _Sink(Protocol):
    def write(self, data: bytes) -> None: ...

    def finish(self) -> None: ...


def content_encodings(headers: httpx.Headers) -> list[str]:
    """The codings of a response, in the order they were applied, identity dropped.

    >>> content_encodings(httpx.Headers([("Content-Encoding", "gzip, BR"), ("content-encoding", "identity")]))
    ['gzip', 'br']
    """  # noqa: E501
    codings = []
    for value in headers.get_list("content-encoding", split_commas=True):
        token = value.strip().lower()
        if token and token != "identity":
            codings.append(token)
    return codings


class _Collector:
    """The end of the chain: keeps the decoded body and enforces the cap."""

    def __init__(self, cap: int, url: str, *, truncate: bool) -> None:
        self._cap = cap
        self._url = url
        self._truncate = truncate
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        room = self._cap - self.size
        if len(data) > room:
            if self._truncate:
                self._parts.append(data[:room])
                self.size = self._cap
                raise CapReached
            raise BodyTooLarge(
                f"{self._url} is larger than the {self._cap} byte cap once decoded "
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
        self._started = False  # input given to the current stream
        self._between = False  # a stream ended; another gzip member may follow
        self._ignoring = False  # what follows the stream is not ours: dropped
        self._pending = b""  # the start of a gzip magic number, split by chunking

    def write(self, data: bytes) -> None:
        try:
            self._write(self._pending + data)
        except zlib.error as exc:
            raise self._broken(exc) from exc

    def _write(self, data: bytes) -> None:
        self._pending = b""
        while not self._ignoring:
            if self._decoder.eof:
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
            try:
                out = self._decoder.decompress(data, STEP)
            except zlib.error:
                if self.name != "deflate" or self._started or self._wbits < 0:
                    raise
                # "deflate" without the zlib wrapper: start again as raw deflate.
                self._wbits = -zlib.MAX_WBITS
                self._decoder = zlib.decompressobj(self._wbits)
                continue
            self._started = True
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


class _Brotli(_Layer):
    name = "br"

    def __init__(self, sink: _Sink, url: str) -> None:
        super().__init__(sink, url)
        self._decoder = brotli.Decompressor()
        self._started = False

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
    name = "zstd"

    def __init__(self, sink: _Sink, url: str) -> None:
        super().__init__(sink, url)
        self._decoder = _zstd_decoder()
        self._started = False

    def write(self, data: bytes) -> None:
        if data:
            self._started = True
        try:
            for start in range(0, len(data), _ZSTD_SLICE):
                piece = data[start : start + _ZSTD_SLICE]
                if self._decoder.eof:  # another frame follows
                    piece = self._decoder.unused_data + piece
                    self._decoder = _zstd_decoder()
                self._sink.write(self._decoder.decompress(piece))
        except zstandard.ZstdError as exc:
            raise self._broken(exc) from exc

    def finish(self) -> None:
        if self._started and not self._decoder.eof:
            raise self._cut()
        self._sink.finish()


def _zstd_decoder() -> zstandard.ZstdDecompressionObj:
    # A frame may ask for a window of up to 2 GiB, allocated at once: refuse that.
    return zstandard.ZstdDecompressor(max_window_size=_ZSTD_WINDOW).decompressobj()


class BodyDecoder:
    """Raw body bytes in (``feed``), the decoded body out (``finish``), capped.

    With ``truncate`` the body stops at the cap (:class:`CapReached` is raised
    by ``feed``; ``body()`` holds the first ``cap`` bytes); without it, going
    over the cap raises :class:`BodyTooLarge`.
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

    def feed(self, raw: bytes) -> None:
        """Decode one chunk of the raw body."""
        self._head.write(raw)

    def finish(self) -> bytes:
        """The whole decoded body, once the raw body ended; TruncatedBody if a stream did not."""
        self._head.finish()
        return self._collector.body()

    def body(self) -> bytes:
        """What was decoded so far (after CapReached: exactly the first ``cap`` bytes)."""
        return self._collector.body()
