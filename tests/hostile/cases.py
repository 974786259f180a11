"""Reply builders for the hostile server, and the route table of static cases.

Each builder returns a handler ``(conn, request) -> None`` that writes raw
bytes.  ``ROUTES`` maps a path to its case for every case that needs nothing
from the test (no other server's address); tests that do (redirects to the
canary, per-test counters) route their own handlers.  Bombs are built once
per session (functools.cache): compressing hundreds of MiB is not free.
"""

from __future__ import annotations

import functools
import gzip
import socket
import zlib
from collections.abc import Callable, Iterable, Sequence

import brotli  # type: ignore[import-untyped]  # ships no type hints
import zstandard

from tests.hostile.server import Conn, Handler, Request

__all__ = [
    "BOMB_SIZE",
    "ROUTES",
    "brotli_bomb",
    "chunked",
    "deflate_bomb",
    "endless_after",
    "gzip_bomb",
    "head",
    "nested_bomb",
    "raw",
    "reply",
    "warm_bombs",
    "zstd_bomb",
    "zstd_wide_window",
]

#: Decoded size of every decompression bomb: far over any test's cap.
BOMB_SIZE = 64 * 1024 * 1024

Headers = Sequence[tuple[str, str]]


def head(status: int = 200, headers: Headers = (), *, reason: str = "X") -> bytes:
    """A status line and headers, ``Connection: close`` added unless given."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if not any(name.lower() == "connection" for name, _ in headers):
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def reply(
    body: bytes = b"",
    status: int = 200,
    headers: Headers = (("Content-Type", "text/html; charset=utf-8"),),
    *,
    length: bool = True,
) -> Handler:
    """A plain answer; ``length=False`` leaves the body close-delimited."""
    all_headers = list(headers)
    if length:
        all_headers.append(("Content-Length", str(len(body))))

    def handler(conn: Conn, request: Request) -> None:
        conn.send(head(status, all_headers) + (body if request.method != "HEAD" else b""))

    return handler


def raw(*parts: bytes, then_reset: bool = False, pause: float = 0.0) -> Handler:
    """Send these bytes as they are (pausing between parts), then close or reset."""

    def handler(conn: Conn, request: Request) -> None:
        for i, part in enumerate(parts):
            if i and pause:
                conn.wait(pause)
            conn.send(part)
        if then_reset:
            conn.wait(0.05)  # let the bytes leave before the RST overtakes them
            conn.reset()

    return handler


def chunked(
    pieces: Callable[[], Iterable[bytes]], *, headers: Headers = (), every: float = 0.0
) -> Handler:
    """A chunked body, one chunk per piece, ``every`` seconds apart, properly ended.

    ``pieces`` makes the pieces anew for each request (a generator would serve
    only the first one).
    """

    def handler(conn: Conn, request: Request) -> None:
        conn.send(
            head(
                200,
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Transfer-Encoding", "chunked"),
                    *headers,
                ],
            )
        )
        for piece in pieces():
            conn.send(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            if every:
                conn.wait(every)
        conn.send(b"0\r\n\r\n")

    return handler


def endless_after(
    coding: str, prefix: bytes, filler: bytes, sent: list[int], *, then_close: bool = False
) -> Handler:
    """``prefix``, then ``filler`` again and again (close-delimited) until the client stops reading.

    ``sent`` gets the number of body bytes the socket accepted (what the
    client read, plus what the kernel buffers hold): the client must stop
    early, not drain the connection's whole byte budget.  With
    ``then_close`` only 400 KB of filler is sent, then the body ends.
    """

    def handler(conn: Conn, request: Request) -> None:
        conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
        conn.send(head(200, [("Content-Type", "text/html"), ("Content-Encoding", coding)]))
        conn.send(prefix)
        total = len(prefix)
        try:
            for _ in range(400_000 // len(filler) + 1 if then_close else 10**9):
                conn.send(filler)
                total += len(filler)
        finally:
            sent.append(total)

    return handler


def _compressed(body: bytes, coding: str) -> Handler:
    return reply(
        body,
        headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", coding)],
    )


@functools.cache
def gzip_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(BOMB_SIZE >> 20)]
    return b"".join([*parts, compressor.flush()])


@functools.cache
def deflate_bomb() -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 15)
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(BOMB_SIZE >> 20)]
    return b"".join([*parts, compressor.flush()])


@functools.cache
def brotli_bomb() -> bytes:
    compressor = brotli.Compressor(quality=5)
    block = b"\0" * (1 << 20)
    parts = [compressor.process(block) for _ in range(BOMB_SIZE >> 20)]
    return b"".join([*parts, compressor.finish()])


@functools.cache
def zstd_bomb() -> bytes:
    compressor = zstandard.ZstdCompressor(level=3).compressobj()
    block = b"\0" * (1 << 20)
    parts = [compressor.compress(block) for _ in range(BOMB_SIZE >> 20)]
    return b"".join([*parts, compressor.flush()])


@functools.cache
def nested_bomb() -> bytes:
    """A gzip bomb, brotli-compressed again (``Content-Encoding: gzip, br``)."""
    return bytes(brotli.compress(gzip_bomb()))


@functools.cache
def zstd_wide_window() -> bytes:
    """A zstd frame that asks for a 128 MiB window (streamed: no content size to shrink it)."""
    params = zstandard.ZstdCompressionParameters.from_level(
        3, window_log=27, write_content_size=False
    )
    compressor = zstandard.ZstdCompressor(compression_params=params).compressobj()
    return compressor.compress(b"<p>wide</p>" * 1000) + compressor.flush()


def warm_bombs() -> None:
    """Build every bomb now, so that no test's deadline pays for it."""
    for build in (gzip_bomb, deflate_bomb, brotli_bomb, zstd_bomb, nested_bomb, zstd_wide_window):
        build()


PAGE = b"<!doctype html><title>ok</title><p>the right text</p>"


def _bomb(data: Callable[[], bytes], coding: str) -> Handler:
    def handler(conn: Conn, request: Request) -> None:
        _compressed(data(), coding)(conn, request)

    return handler


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _trickle_body(conn: Conn, request: Request) -> None:
    conn.send(head(200, [("Content-Type", "text/html"), ("Content-Length", "1000")]))
    conn.trickle(b"a" * 1000, every=0.05)


def _trickle_headers(conn: Conn, request: Request) -> None:
    conn.trickle(head(200, [("Content-Type", "text/html"), ("X-Pad", "p" * 400)]), every=0.02)


def _silent(conn: Conn, request: Request) -> None:
    conn.wait(10)  # the connection budget ends it sooner


def _endless_headers(conn: Conn, request: Request) -> None:
    conn.send(b"HTTP/1.1 200 OK\r\n")
    for _ in range(200):  # 200 KB of headers, twice httpcore's limit
        conn.send(b"X-More: " + b"m" * 1000 + b"\r\n")


def _reset(conn: Conn, request: Request) -> None:
    conn.reset()


def _close(conn: Conn, request: Request) -> None:
    """Read the request, answer nothing, close."""


#: Cases that need nothing from the test: path -> handler.
ROUTES: dict[str, Handler] = {
    # deadlines
    "/trickle-body": _trickle_body,
    "/trickle-headers": _trickle_headers,
    "/silent": _silent,
    "/endless-chunks": chunked(lambda: (b"<p>more</p>" for _ in range(10**6)), every=0.05),
    # sizes
    "/gzip-bomb": _bomb(gzip_bomb, "gzip"),
    "/deflate-bomb": _bomb(deflate_bomb, "deflate"),
    "/br-bomb": _bomb(brotli_bomb, "br"),
    "/zstd-bomb": _bomb(zstd_bomb, "zstd"),
    "/nested-bomb": _bomb(nested_bomb, "gzip, br"),
    "/zstd-wide-window": _bomb(zstd_wide_window, "zstd"),
    "/gzip": _compressed(gzip.compress(PAGE), "gzip"),
    "/x-gzip": _compressed(gzip.compress(PAGE), "x-gzip"),
    "/deflate-zlib": _compressed(zlib.compress(PAGE), "deflate"),
    "/deflate-raw": _compressed(zlib.compress(PAGE)[2:-4], "deflate"),
    "/br": _compressed(brotli.compress(PAGE), "br"),
    "/zstd": _compressed(zstandard.ZstdCompressor().compress(PAGE), "zstd"),
    "/gzip-then-br": _compressed(brotli.compress(gzip.compress(PAGE)), "gzip, br"),
    "/three-layers": _compressed(
        zstandard.ZstdCompressor().compress(brotli.compress(gzip.compress(PAGE))),
        "gzip, br, zstd",
    ),
    "/four-layers": _compressed(
        gzip.compress(gzip.compress(gzip.compress(gzip.compress(PAGE)))), "gzip, gzip, gzip, gzip"
    ),
    "/gzip-members": _compressed(gzip.compress(PAGE[:20]) + gzip.compress(PAGE[20:]), "gzip"),
    "/unknown-coding": _compressed(PAGE, "compress"),
    "/corrupt-gzip": _compressed(b"\x1f\x8b\x08\x00" + b"\xff" * 200, "gzip"),
    "/cut-gzip": reply(
        _half(gzip.compress(PAGE * 50)),
        headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        length=False,
    ),
    "/cut-br": reply(
        _half(brotli.compress(PAGE * 50)),
        headers=[("Content-Type", "text/html"), ("Content-Encoding", "br")],
        length=False,
    ),
    "/big-declared": reply(b"x" * 300_000),
    "/big-close-delimited": reply(b"y" * 300_000, length=False),
    "/big-chunked": chunked(lambda: (b"z" * 10_000 for _ in range(30))),
    "/fat-headers": reply(PAGE, headers=[(f"X-Pad-{i}", "v" * 500) for i in range(100)]),
    "/endless-headers": _endless_headers,
    # truncation and resets
    "/short-body": raw(
        head(200, [("Content-Type", "text/html"), ("Content-Length", "1000")]) + b"<p>only this"
    ),
    "/short-chunked": raw(
        head(200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
        + b"10\r\n<p>sixteen bytes\r\n"
    ),
    "/reset-mid-body": raw(
        head(200, [("Content-Type", "text/html"), ("Content-Length", "100000")]) + b"<p>" * 100,
        then_reset=True,
    ),
    "/reset-before-answer": _reset,
    "/close-before-answer": _close,
    "/garbage-status": raw(b"HTTP/1.1 OK maybe\r\n\r\nwhatever"),
    # meta refresh: returned as it is, never followed
    "/meta-refresh-loop": reply(
        b'<html><head><meta http-equiv="refresh" content="0; url=/meta-refresh-loop">'
        b"</head><body><p>refreshing</p></body></html>"
    ),
}
