"""A hostile HTTP server on loopback, speaking raw bytes, every stream bounded by itself.

Unlike ``tests/servers.py`` (a well-behaved stdlib server), a case here
writes whatever bytes it likes on the socket: trickled headers, truncated
bodies, resets, decompression bombs, endless streams.  Every connection has
a time and byte budget enforced by the server itself (``Conn``), so a case
that "never ends" ends anyway, and ``stop()`` wakes and joins every handler.

    with HostileServer() as srv:                 # 127.0.0.1, a random port
        srv.route("/slow", trickle_body(b"x" * 100, every=0.05))
        fetch(srv.url("/slow"))
        assert srv.hits("/slow") == 1

A case is ``handler(conn, request)``; see ``tests/hostile/cases.py`` for the
builders and the route table.  The server binds loopback addresses only.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Self
from urllib.parse import urlsplit

from tests.servers import Served

__all__ = ["Budget", "Conn", "Handler", "HostileServer", "Request"]

logger = logging.getLogger(__name__)

_NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"

#: Longest request head read from a client.
_MAX_REQUEST_HEAD = 64 * 1024


class Budget(Exception):
    """A connection used up its time or byte budget (or the server is stopping)."""


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    method: str
    #: Request target as sent (a path, or an absolute URL through a proxy).
    target: str
    #: Header names lower-case; repeated headers joined with ", ".
    headers: dict[str, str]
    #: Path of the target, without the query string.
    path: str


class Conn:
    """One client connection, with bounded writes, waits and a hard reset."""

    def __init__(
        self, sock: socket.socket, stopping: threading.Event, seconds: float, max_bytes: int
    ) -> None:
        self.sock = sock
        self._stopping = stopping
        self._deadline = time.monotonic() + seconds
        self._bytes_left = max_bytes

    def _check(self) -> None:
        if self._stopping.is_set() or time.monotonic() > self._deadline:
            raise Budget

    def send(self, data: bytes) -> None:
        """Write ``data`` (Budget when the byte or time budget runs out)."""
        self._check()
        if len(data) > self._bytes_left:
            raise Budget
        self._bytes_left -= len(data)
        self.sock.sendall(data)

    def wait(self, seconds: float) -> None:
        """Sleep, but wake for stop() and never past the connection's time budget."""
        self._check()
        left = self._deadline - time.monotonic()
        if self._stopping.wait(min(seconds, max(0.0, left))):
            raise Budget
        self._check()

    def trickle(self, data: bytes, every: float, size: int = 1) -> None:
        """Write ``data`` ``size`` bytes at a time, ``every`` seconds apart."""
        for start in range(0, len(data), size):
            self.send(data[start : start + size])
            self.wait(every)

    def reset(self) -> None:
        """Close with a TCP RST (SO_LINGER 0): the client sees a connection reset."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Handler = Callable[[Conn, Request], None]


@dataclass
class _State:
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    connections: int = 0


class HostileServer(Served):
    """A raw HTTP/1.1 server on a loopback address; one request per connection.

    ``host`` must be a loopback address (127.0.0.0/8): tests never send
    traffic anywhere else.  Unknown paths answer 404.  ``connections`` counts
    accepted TCP connections (a request need not follow), which is what the
    canary checks.
    """

    __test__ = False

    def __init__(
        self,
        host: str = "127.0.0.1",
        *,
        fallback: Handler | None = None,
        seconds_per_connection: float = 4.0,
        bytes_per_connection: int = 64 * 1024 * 1024,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"the hostile server binds loopback only, not {host}")
        self.host = host
        self._fallback = fallback
        self._seconds = seconds_per_connection
        self._bytes = bytes_per_connection
        self._state = _State()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._sock: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> Self:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(64)
        sock.settimeout(0.05)
        self._sock = sock
        acceptor = threading.Thread(target=self._accept_loop, name="hostile-accept", daemon=True)
        acceptor.start()
        self._threads.append(acceptor)
        return self

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            open_socks = list(self._open)
        for sock in open_socks:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread in list(self._threads):
            thread.join(timeout=5)
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    # -- addresses and records ---------------------------------------------------------

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("the server is not running")
        return int(self._sock.getsockname()[1])

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return f"{self.origin}{path}"

    def route(self, path: str, handler: Handler) -> None:
        """Answer requests for ``path`` (query string ignored) with ``handler``."""
        with self._lock:
            self._state.routes[path] = handler

    def routes(self, table: dict[str, Handler]) -> None:
        for path, handler in table.items():
            self.route(path, handler)

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._state.requests)

    @property
    def connections(self) -> int:
        with self._lock:
            return self._state.connections

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    # -- serving -------------------------------------------------------------------

    def _accept_loop(self) -> None:
        assert self._sock is not None
        while not self._stopping.is_set():
            try:
                client, _addr = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._state.connections += 1
                self._open.add(client)
            worker = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(worker)
            worker.start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(2.0)
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = Conn(client, self._stopping, self._seconds, self._bytes)
        try:
            request = self._read_request(client)
            if request is None:
                return
            with self._lock:
                self._state.requests.append(request)
                handler = self._state.routes.get(request.path, self._fallback)
            if handler is None:
                conn.send(
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            else:
                handler(conn, request)
        except (Budget, OSError):
            pass  # budget spent, the client hung up, or the case reset the socket
        finally:
            with self._lock:
                self._open.discard(client)
            with contextlib.suppress(OSError):
                client.close()

    def _read_request(self, client: socket.socket) -> Request | None:
        data = b""
        while b"\r\n\r\n" not in data:
            if len(data) > _MAX_REQUEST_HEAD or self._stopping.is_set():
                return None
            chunk = client.recv(4096)
            if not chunk:
                return None
            data += chunk
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        line, *header_lines = head.split("\r\n")
        method, target, _version = [*line.split(" ", 2), "", ""][:3]
        headers: dict[str, str] = {}
        for header in header_lines:
            name, _, value = header.partition(":")
            key = name.strip().lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        return Request(method, target, headers, urlsplit(target).path or "/")
