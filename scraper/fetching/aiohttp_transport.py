"""The aiohttp transport: httpx's API on aiohttp's HTTP/1.1 client, with every connection checked.

``FetchConfig(transport="aiohttp")`` makes the fetcher send its requests
through :class:`GuardedAiohttpTransport`: the fetcher still speaks httpx
(requests, responses, cookies, errors), but the bytes go through one
``aiohttp.ClientSession``, which costs about half the CPU per page of
httpcore.  The address policy is enforced the way ``GuardedTransport``
(transport.py) enforces it for httpcore:

* Names: the session's ``TCPConnector`` resolves through
  :class:`PolicyResolver`, which asks the injected :class:`Resolver` and
  hands aiohttp only the addresses the policy allows (BlockedAddress when
  none is).  aiohttp connects only to addresses its resolver returned, so
  the address checked is the address connected to, with no second lookup,
  and a refused address never gets a socket.  aiohttp's DNS cache is off:
  each new connection asks again, as with httpcore.
* Literal hosts, which aiohttp never resolves: read here the way
  ``inet_aton`` reads them (``2130706433``, ``0x7f.1``, ``::ffff:7f00:1``...),
  checked, and sent to aiohttp in their canonical form, so that what aiohttp
  connects to is what was checked (the ``Host`` header keeps the URL's
  spelling).  They are checked before every request, not only before a new
  connection as names are (and as httpx's transport does): the policy may
  be called more often here, never less.
* Proxies: this transport never uses one (the session ignores the
  environment).  The fetcher sends requests that an environment proxy must
  carry through ``GuardedTransport``, whose proxy rules are documented in
  transport.py; NO_PROXY hosts come back here.

The rest is the fetcher's business, so aiohttp is told to stay out of it: no
decompression (decoding.py streams and caps it), no cookie jar (httpx's
client keeps the cookies), no redirects (the fetcher follows them hop by
hop), no retries of its own.  TLS uses the same SSL context as httpx
(``verify`` and ``trust_env``), with the URL's host name as SNI and as the
name the certificate must carry.  aiohttp speaks HTTP/1.1 only:
``FetchConfig.http2`` offers nothing here.

aiohttp's errors become the httpx errors the fetcher maps (httpx_errors.py):
a reset or a body cut short is a ReadError or RemoteProtocolError (then
TruncatedBody when it happens in the body), timeouts are ConnectTimeout and
ReadTimeout, TLS failures keep the ``ssl.SSLError`` in their cause chain.
Two come out as scraper errors directly: BlockedAddress (raised by our
resolver, unwrapped if aiohttp wrapped it) and HeadersTooLarge (a response
head over the parser's limits, see :func:`parser_limits`).

The one private attribute of aiohttp we touch is ``ClientSession._retry_connection``
(aiohttp resends an idempotent request once when the server closes the
connection before answering; the fetcher's retry policy decides retries).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final, NoReturn, TypeVar

import aiohttp
import httpx
from aiohappyeyeballs import SocketFactoryType
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.connector import Connection
from aiohttp.http_exceptions import LineTooLong
from yarl import URL

from scraper.config import FetchConfig
from scraper.errors import BlockedAddress, HeadersTooLarge
from scraper.fetching.addresses import Resolver, literal_address, resolve_addresses
from scraper.fetching.httpx_errors import HTTPCORE_HEAD_LIMIT
from scraper.fetching.redirects import AddressPolicy
from scraper.fetching.transport import AddressGuarded, allowed_addresses, shared_ssl_context

__all__ = [
    "GuardedAiohttpTransport",
    "ParserLimits",
    "PeerStream",
    "PolicyResolver",
    "parser_limits",
]

logger = logging.getLogger(__name__)

#: Most header lines in one response head.  aiohttp counts lines where h11
#: counts bytes (100 KiB in all); this is aiohttp's own default.
MAX_HEADER_LINES: Final = 128

#: What aiohttp's parser says when a head has more than ``max_headers`` lines.
_TOO_MANY_HEADERS: Final = "Too many headers"

_SCHEMES: Final = frozenset({"http", "https"})

_E = TypeVar("_E", bound=BaseException)


@dataclass(frozen=True, slots=True)
class ParserLimits:
    """aiohttp's response-head limits (``ClientSession`` arguments)."""

    #: Longest status line, header name or header value, in bytes.
    line: int
    #: Most header lines.
    headers: int


def parser_limits(config: FetchConfig) -> ParserLimits:
    """aiohttp's head limits for ``config``: never tighter than the fetcher's own cap.

    Any head within ``max_header_bytes`` gets through aiohttp, so the
    fetcher's HeadersTooLarge check decides as it does with httpx; a line
    may be as long as httpcore allows a whole head (100 KiB), more if the cap
    is larger.  aiohttp bounds the number of lines instead of their total.

    >>> parser_limits(FetchConfig())
    ParserLimits(line=102400, headers=128)
    >>> parser_limits(FetchConfig(max_header_bytes=1 << 20)).line
    1048576
    """
    return ParserLimits(max(config.max_header_bytes, HTTPCORE_HEAD_LIMIT), MAX_HEADER_LINES)


class PolicyResolver(AbstractResolver):
    """An aiohttp resolver that returns only the addresses the policy allows.

    Names go through the injected :class:`Resolver` (a literal is read,
    never resolved), under ``timeout`` seconds (the connect timeout: aiohttp
    counts the lookup in no timeout of its own but the pool's).  When no
    address is allowed, the first refusal (BlockedAddress) is raised and
    aiohttp opens no socket.
    """

    def __init__(self, policy: AddressPolicy, resolver: Resolver, timeout: float | None) -> None:
        self._policy = policy
        self._resolver = resolver
        self._timeout = timeout

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        # A TimeoutError here becomes aiohttp's ConnectionTimeoutError, an
        # OSError its ClientConnectorDNSError; BlockedAddress passes through.
        async with asyncio.timeout(self._timeout):
            addresses = await resolve_addresses(self._resolver, host, port)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for address in allowed_addresses(self._policy, host, addresses)
        ]

    async def close(self) -> None:
        """Nothing to release: the injected resolver belongs to the caller."""


class PeerStream:
    """What httpcore's ``network_stream`` extension tells about a connection: its peer.

    ``peer_address(response)`` (redirects.py) reads ``server_addr`` from it.
    """

    def __init__(self, peer: tuple[str, int] | None) -> None:
        self._peer = peer

    def get_extra_info(self, info: str) -> object:
        """``server_addr``: the (address, port) connected to; None for anything else."""
        return self._peer if info == "server_addr" else None


class _PeerResponse(aiohttp.ClientResponse):
    """An aiohttp response that remembers the address its connection went to.

    Read as the head arrives: aiohttp releases the connection as soon as the
    body is complete (at once for an empty body), after which it is gone.
    """

    peer: tuple[str, int] | None = None

    async def start(self, connection: Connection) -> aiohttp.ClientResponse:
        transport = connection.transport
        name = None if transport is None else transport.get_extra_info("peername")
        if isinstance(name, tuple) and len(name) >= 2 and isinstance(name[0], str):
            self.peer = (name[0], int(name[1]))
        return await super().start(connection)


class _Body(httpx.AsyncByteStream):
    """An aiohttp response body as httpx's raw stream: bytes as they arrive, errors mapped."""

    def __init__(self, response: aiohttp.ClientResponse, url: str, limits: ParserLimits) -> None:
        self._response = response
        self._url = url
        self._limits = limits

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        with _mapped_errors(self._url, self._limits):
            while chunk := await content.readany():
                yield chunk

    async def aclose(self) -> None:
        # Back to the pool when the body was read to its end; closed otherwise.
        self._response.release()


class GuardedAiohttpTransport(httpx.AsyncBaseTransport, AddressGuarded):
    """An httpx transport on one shared aiohttp session, connecting only where the policy allows.

    ``limits.max_connections`` bounds the session's connections (None: no
    bound) and ``limits.keepalive_expiry`` their idle time.  Per-request
    timeouts come from httpx (``connect``: the TCP and TLS handshake,
    ``read``: silence between two reads); the lookup gets
    ``config.connect_timeout``.  ``socket_factory`` makes the sockets (tests
    record them with it).

    The constructor does no I/O beyond loading the CA bundle: the session is
    made by the first request, in the running loop, and closed by ``aclose``.
    Many concurrent requests share it.
    """

    def __init__(
        self,
        config: FetchConfig,
        *,
        policy: AddressPolicy,
        resolver: Resolver,
        limits: httpx.Limits | None = None,
        socket_factory: SocketFactoryType | None = None,
    ) -> None:
        self._config = config
        self._policy = policy
        self._resolver = resolver
        self._limits = limits or httpx.Limits()
        self._socket_factory = socket_factory
        self._ssl_context = shared_ssl_context(config)
        self._head_limits = parser_limits(config)
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        """The shared session, made on first use (it binds to the running loop)."""
        limits = self._limits
        connector = aiohttp.TCPConnector(
            ssl=self._ssl_context,
            resolver=PolicyResolver(self._policy, self._resolver, self._config.connect_timeout),
            use_dns_cache=False,
            limit=limits.max_connections or 0,
            keepalive_timeout=limits.keepalive_expiry,
            socket_factory=self._socket_factory,
        )
        head = self._head_limits
        session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,
            timeout=aiohttp.ClientTimeout(total=None),
            response_class=_PeerResponse,
            # httpx's client sets these; aiohttp must not add its own.
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
            max_line_size=head.line,
            max_field_size=head.line,
            max_headers=head.headers,
        )
        session._retry_connection = False  # the fetcher's retry policy decides
        return session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session
        if session is None:
            session = self._session = self._open_session()
        url = self._checked_url(request.url)
        shown = str(request.url)  # for error messages
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        with _mapped_errors(shown, self._head_limits):
            response = await session.request(
                request.method,
                # A name host leaves the URL as it was: its text is already made.
                URL(shown if url is request.url else str(url), encoded=True),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            )
        peer = response.peer if isinstance(response, _PeerResponse) else None
        version = response.version or aiohttp.HttpVersion11
        extensions: dict[str, Any] = {
            "http_version": f"HTTP/{version.major}.{version.minor}".encode(),
            "network_stream": PeerStream(peer),
        }
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("utf-8", "replace")
        return httpx.Response(
            status_code=response.status,
            headers=list(response.raw_headers),
            stream=_Body(response, shown, self._head_limits),
            request=request,
            extensions=extensions,
        )

    def _checked_url(self, url: httpx.URL) -> httpx.URL:
        """``url`` with a literal host checked against the policy and written canonically.

        aiohttp connects to an IP literal without asking its resolver, and
        refuses the old numeric forms (``127.1``) outright: both are settled
        here.  Names pass unchanged, to :class:`PolicyResolver`.  Credentials
        in the URL (``http://user@host/``, a redirect may send one) are
        dropped from it: httpx has made them the ``Authorization`` header
        already, and aiohttp refuses a request that has both (httpx's own
        transport sends the header alone, too).
        """
        if url.scheme not in _SCHEMES:
            raise httpx.UnsupportedProtocol(f"only http and https URLs are fetched, not {url}")
        if url.userinfo:
            url = url.copy_with(userinfo=b"")
        literal = literal_address(url.host)
        if literal is None:
            return url
        address = str(literal)
        self._policy(url.host, address)
        return url if url.host == address else url.copy_with(host=address)

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()


@contextmanager
def _mapped_errors(url: str, limits: ParserLimits) -> Iterator[None]:
    """aiohttp's errors as the httpx errors the fetcher maps (see the module docstring)."""
    try:
        yield
    except (aiohttp.ClientError, OSError) as exc:
        _raise_mapped(exc, url, limits)


def _raise_mapped(exc: aiohttp.ClientError | OSError, url: str, limits: ParserLimits) -> NoReturn:
    blocked = _cause(exc, BlockedAddress)  # raised by our resolver; aiohttp may wrap it
    if blocked is not None:
        raise blocked from exc
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ClientResponseError) and _head_too_large(exc):
        raise HeadersTooLarge(
            f"{url} sent a response head over the parser's limits (a line over "
            f"{limits.line // 1024} KiB, or more than {limits.headers} header lines); "
            "the server is broken or hostile",
            url=url,
        ) from exc
    mapped: httpx.TransportError
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        mapped = httpx.ConnectTimeout(message)
    elif isinstance(exc, TimeoutError):  # ServerTimeoutError, SocketTimeoutError: a read
        mapped = httpx.ReadTimeout(message)
    elif isinstance(exc, aiohttp.ClientConnectorDNSError):
        mapped = httpx.ConnectError(f"cannot resolve {exc.host}: {exc.os_error}")
    elif isinstance(exc, aiohttp.ClientConnectorError):  # refused, TLS (the cause is kept)
        mapped = httpx.ConnectError(message)
    elif isinstance(
        exc,
        # closed before the answer, a body cut short, a head that does not parse
        aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError,
    ):
        mapped = httpx.RemoteProtocolError(message)
    elif isinstance(exc, aiohttp.NonHttpUrlClientError):
        mapped = httpx.UnsupportedProtocol(message)
    elif isinstance(exc, aiohttp.InvalidURL):
        mapped = httpx.LocalProtocolError(f"aiohttp cannot send to this URL: {message}")
    elif isinstance(exc, aiohttp.ClientConnectionError | OSError):  # a reset, a broken pipe
        mapped = httpx.ReadError(str(exc))
    else:
        mapped = httpx.TransportError(message)
    raise mapped from exc


def _head_too_large(exc: aiohttp.ClientResponseError) -> bool:
    """Whether aiohttp refused a response head for a line too long or too many lines.

    The parser's LineTooLong is a cause or two down (aiohttp copies it into a
    plain HttpProcessingError first); too many lines has no class of its own.
    """
    return _TOO_MANY_HEADERS in exc.message or _cause(exc, LineTooLong) is not None


def _cause(exc: BaseException, kind: type[_E]) -> _E | None:
    """The first exception of type ``kind`` in the cause chain of ``exc`` (itself included)."""
    seen: BaseException | None = exc
    for _ in range(10):  # causes form a short chain; bound the walk anyway
        if seen is None:
            return None
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
