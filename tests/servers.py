"""A real HTTP server on 127.0.0.1 with programmable routes, for tests.

Tests never touch the internet: fetch, crawl and hostile-web tests talk to
this server over loopback.  It is a threaded stdlib ``http.server`` speaking
HTTP/1.1 with keep-alive, on a random port::

    with TestServer() as server:
        server.route("/", html("<p>hi</p>"))
        server.route("/flaky", Reply(503), Reply(503), html("ok"))  # in order, last repeats
        server.route("/echo", lambda seen: Reply(200, seen.headers["user-agent"].encode()))
        fetch(server.url("/flaky"))
        assert server.hits("/flaky") == 3

A reply can trickle its body (one byte every ``trickle`` seconds), wait before
answering (``delay``), omit Content-Length (close-delimited body) or carry any
headers.  Helpers build common replies: ``html``, ``redirect``, ``gzipped``,
``brotli_compressed``, ``gzip_bomb``, ``pdf``, ``png``, ``robots``.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import ssl
import subprocess
import sys
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import brotli  # type: ignore[import-untyped]  # ships no type hints

__all__ = [
    "PDF_BYTES",
    "PNG_BYTES",
    "Reply",
    "Seen",
    "Served",
    "TestServer",
    "brotli_compressed",
    "gzip_bomb",
    "gzipped",
    "html",
    "pdf",
    "png",
    "redirect",
    "robots",
    "self_signed_certificate",
    "self_signed_tls",
]

#: The start of a real (tiny) PDF file.
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
#: A 1x1 transparent PNG.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    #: Path with query string, as sent.
    path: str
    #: Header names lower-case; repeated headers joined with ", ".
    headers: dict[str, str]
    #: The (host, port) the request came from.
    client: tuple[str, int]


@dataclass(frozen=True)
class Reply:
    """What the server answers."""

    status: int = 200
    body: bytes = b""
    headers: Sequence[tuple[str, str]] = ()
    #: Seconds between single bytes of the body (a slow-loris server).
    trickle: float | None = None
    #: Seconds to wait before sending the status line.
    delay: float = 0.0
    #: Send a Content-Length (else the body ends when the connection closes).
    content_length: bool = True


Handler = Callable[[Seen], Reply]


@dataclass
class _Route:
    replies: Sequence[Reply] = ()
    handler: Handler | None = None
    served: int = 0

    def next(self, seen: Seen) -> Reply:
        if self.handler is not None:
            return self.handler(seen)
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # join handler threads on close: no leaked sockets
    block_on_close = True

    def __init__(self, owner: TestServer) -> None:
        self.owner = owner
        super().__init__((owner.host, 0), _RequestHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the client hung up (deadline, size cap, closed pool): expected
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # seconds: a stuck client cannot hold the test session
    # Headers and body leave in two writes; with Nagle's algorithm on, the
    # body waits for the client's delayed ACK of the headers: 40 ms per
    # keep-alive request on Linux, most of a crawl test's time.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.owner._connections.add(self.connection)

    def finish(self) -> None:
        self.server.owner._connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the client went away: nothing left to flush
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet; requests are recorded in TestServer.requests

    def do_GET(self) -> None:
        self._serve(with_body=True)

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        self._serve(with_body=True)

    def do_HEAD(self) -> None:
        self._serve(with_body=False)

    def _serve(self, *, with_body: bool) -> None:
        owner = self.server.owner
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        seen = Seen(self.command, self.path, headers, self.client_address[:2])
        reply = owner._record(seen)
        if reply.delay and owner._stopping.wait(reply.delay):
            self.close_connection = True
            return
        try:
            self._send(reply, with_body=with_body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True  # the client gave up (deadline, cap...)

    def _send(self, reply: Reply, *, with_body: bool) -> None:
        self.send_response(reply.status)
        names = set()
        for name, value in reply.headers:
            self.send_header(name, value)
            names.add(name.lower())
        if reply.content_length and "content-length" not in names:
            self.send_header("Content-Length", str(len(reply.body)))
        if not reply.content_length:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not with_body:
            return
        if reply.trickle is None:
            self.wfile.write(reply.body)
            return
        self.wfile.flush()
        stopping = self.server.owner._stopping
        for i in range(len(reply.body)):
            self.wfile.write(reply.body[i : i + 1])
            self.wfile.flush()
            if stopping.wait(reply.trickle):
                self.close_connection = True
                return


class Served:
    """``with`` support for a test server: ``start()`` on entry, ``stop()`` on exit."""

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class TestServer(Served):
    """A threaded HTTP/1.1 server on 127.0.0.1 (or another loopback ``host``), a
    random port, programmable routes.

    Unknown paths answer 404 (so robots.txt is absent unless routed).
    """

    __test__ = False  # not a test class, whatever pytest thinks of the name

    def __init__(self, *, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1") -> None:
        #: The loopback address it listens on: two servers on two addresses are
        #: two hosts to a crawler (its politeness ignores the port).
        self.host = host
        self.requests: list[Seen] = []
        self._tls = tls
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> Self:
        self._httpd = _Server(self)
        if self._tls is not None:
            self._httpd.socket = self._tls.wrap_socket(self._httpd.socket, server_side=True)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        for conn in list(self._connections):
            # Wakes handlers blocked on keep-alive reads; it may be closed already.
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- addresses -------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the server is not running")
        return int(self._httpd.server_address[1])

    @property
    def origin(self) -> str:
        scheme = "http" if self._tls is None else "https"
        return f"{scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.origin}{path}"

    # -- routes and records --------------------------------------------------------

    def route(self, path: str, *replies: Reply | Handler) -> None:
        """Answer ``path`` with these replies in order (the last repeats), or a handler.

        ``path`` matches with its query string first, then without it.
        """
        if len(replies) == 1 and callable(replies[0]):
            self._routes[path] = _Route(handler=replies[0])
            return
        if not replies or not all(isinstance(r, Reply) for r in replies):
            raise ValueError("give one handler, or one or more Reply objects")
        self._routes[path] = _Route(replies=[r for r in replies if isinstance(r, Reply)])

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (query string ignored unless given)."""
        with self._lock:
            return sum(1 for s in self.requests if path in (s.path, urlsplit(s.path).path))

    def seen(self, path: str) -> list[Seen]:
        """The requests for ``path``, in order."""
        with self._lock:
            return [s for s in self.requests if path in (s.path, urlsplit(s.path).path)]

    def _record(self, seen: Seen) -> Reply:
        with self._lock:
            self.requests.append(seen)
            route = self._routes.get(seen.path) or self._routes.get(urlsplit(seen.path).path)
            if route is None:
                return Reply(404, b"not found", [("Content-Type", "text/plain")])
            return route.next(seen)


def self_signed_certificate(directory: Path, host: str) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a fresh self-signed certificate for ``host`` (a name or an
    IP address), and the certificate's path for clients to trust (needs openssl)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    kind = "IP" if host.replace(".", "").isdigit() or ":" in host else "DNS"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName={kind}:{host}",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


def self_signed_tls(directory: Path) -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for 127.0.0.1 (needs openssl)."""
    return self_signed_certificate(directory, "127.0.0.1")[0]


# -- reply builders -------------------------------------------------------------------


def html(
    body: str | bytes,
    *,
    status: int = 200,
    charset: str | None = "utf-8",
    content_type: str | None = "text/html",
    headers: Sequence[tuple[str, str]] = (),
) -> Reply:
    """An HTML reply; ``str`` bodies are encoded with ``charset`` (utf-8 if None)."""
    data = body.encode(charset or "utf-8") if isinstance(body, str) else body
    all_headers = list(headers)
    if content_type is not None:
        value = f"{content_type}; charset={charset}" if charset else content_type
        all_headers.append(("Content-Type", value))
    return Reply(status, data, all_headers)


def redirect(location: str, status: int = 302, headers: Sequence[tuple[str, str]] = ()) -> Reply:
    return Reply(status, b"", [("Location", location), *headers])


def robots(text: str | bytes, status: int = 200) -> Reply:
    data = text.encode() if isinstance(text, str) else text
    return Reply(status, data, [("Content-Type", "text/plain")])


def gzipped(data: bytes, content_type: str = "text/html; charset=utf-8") -> Reply:
    return Reply(
        200, gzip.compress(data), [("Content-Type", content_type), ("Content-Encoding", "gzip")]
    )


def brotli_compressed(data: bytes, content_type: str = "text/html; charset=utf-8") -> Reply:
    return Reply(
        200, brotli.compress(data), [("Content-Type", content_type), ("Content-Encoding", "br")]
    )


def gzip_bomb(decoded_size: int) -> Reply:
    """A small gzip body that inflates to ``decoded_size`` bytes of spaces."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    block = b" " * (1 << 20)
    parts = []
    left = decoded_size
    while left > 0:
        parts.append(compressor.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(compressor.flush())
    return Reply(
        200,
        b"".join(parts),
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
    )


def pdf(content_type: str | None = "application/pdf") -> Reply:
    headers = [("Content-Type", content_type)] if content_type else []
    return Reply(200, PDF_BYTES, headers)


def png(content_type: str | None = "image/png") -> Reply:
    headers = [("Content-Type", content_type)] if content_type else []
    return Reply(200, PNG_BYTES, headers)
