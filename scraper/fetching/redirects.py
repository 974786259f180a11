"""Pure helpers for following redirects hop by hop, and the address-policy seam.

We follow redirects ourselves (httpx's ``follow_redirects`` is off) so that
every hop goes through the robots.txt check and the address policy, and so
that credentials never travel to another origin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Final
from urllib.parse import urljoin, urlsplit

import httpx

from scraper.errors import BlockedAddress, InvalidURL, NetworkError
from scraper.fetching.addresses import Resolver, literal_address, resolve_addresses

__all__ = [
    "CROSS_ORIGIN_HEADERS",
    "REDIRECT_STATUSES",
    "AddressPolicy",
    "HopGuard",
    "check_scheme",
    "cookie_header",
    "drain",
    "keep_location",
    "location",
    "may_send_credentials",
    "normalize_url",
    "normalized",
    "origin",
    "peer_address",
    "redirect_method",
    "redirect_target",
    "request_headers",
    "trusted_headers",
]

logger = logging.getLogger(__name__)

#: Decides whether a host may be reached at an address: called with the URL's
#: host and an IP address (None when a custom transport cannot tell where it
#: connected), it raises :class:`BlockedAddress` to refuse; its return value is
#: ignored.  The default is :class:`scraper.fetching.addresses.NetworkPolicy`.
#: The default transport calls it for each address before connecting to it;
#: HopGuard calls it for hops sent through a custom transport.
AddressPolicy = Callable[[str, str | None], None]

#: Statuses we follow.  Other 3xx (300, 304...) are final answers.
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})

#: The configured headers sent to a redirect's other origin; every other one
#: (Authorization, Cookie, X-Api-Key, any custom header: we cannot tell which
#: carry credentials) goes to the first URL's origin only.
CROSS_ORIGIN_HEADERS: Final = frozenset({"accept", "accept-language", "user-agent"})

#: Bodies of redirects and error answers up to this size are read and
#: dropped so that the connection can be reused; larger ones close it.
DRAIN_MAX: Final = 16 * 1024

#: The only schemes we fetch.  Anything else (file:, ftp:, gopher:, data:...)
#: raises BlockedAddress: a redirect to it is how SSRF tricks start.
_SCHEMES: Final = frozenset({"http", "https"})

_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


def check_scheme(url: str) -> None:
    """Raise :class:`BlockedAddress` unless ``url`` is http(s) with a host.

    >>> check_scheme("https://example.org/")
    >>> check_scheme("file:///etc/passwd")
    Traceback (most recent call last):
    scraper.errors.BlockedAddress: only http and https URLs are fetched, not 'file:///etc/passwd'
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES:
        raise BlockedAddress(f"only http and https URLs are fetched, not {url!r}", url=url)
    if not parts.hostname:
        raise InvalidURL(f"{url!r} has no host; give a full URL such as https://host/path", url=url)


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in.

    >>> origin("HTTPS://Example.org/a")
    ('https', 'example.org', 443)
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: the URL is refused later
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme)


def may_send_credentials(first_url: str, hop_url: str) -> bool:
    """Whether credentials meant for ``first_url`` may go to ``hop_url``.

    Same origin, or the same host upgraded from http to https on default
    ports (as browsers and httpx allow).

    >>> may_send_credentials("http://a.org/x", "https://a.org/y")
    True
    >>> may_send_credentials("https://a.org/x", "https://b.org/x")
    False
    >>> may_send_credentials("https://a.org/x", "http://a.org/x")
    False
    """
    first, hop = origin(first_url), origin(hop_url)
    if first == hop:
        return True
    return first == ("http", hop[1], 80) and hop == ("https", hop[1], 443)


def request_headers(
    extra: Iterable[tuple[str, str]], *, first_url: str, hop_url: str
) -> list[tuple[str, str]]:
    """The configured headers for one hop: all on the first origin, harmless ones elsewhere.

    Off the first origin only :data:`CROSS_ORIGIN_HEADERS` are kept.

    >>> headers = [("Authorization", "x"), ("X-Api-Key", "k"), ("Accept-Language", "it")]
    >>> request_headers(headers, first_url="https://a.org/", hop_url="https://b.org/")
    [('Accept-Language', 'it')]
    >>> len(request_headers(headers, first_url="https://a.org/", hop_url="https://a.org/x"))
    3
    """
    return trusted_headers(extra, trusted=may_send_credentials(first_url, hop_url))


def trusted_headers(extra: Iterable[tuple[str, str]], *, trusted: bool) -> list[tuple[str, str]]:
    """:func:`request_headers` for a hop whose ``may_send_credentials`` is already known.

    Why: the fetcher needs that answer for the cookies too; asking once
    saves parsing both URLs again.

    >>> trusted_headers([("Authorization", "x"), ("User-Agent", "u")], trusted=False)
    [('User-Agent', 'u')]
    """
    return [(k, v) for k, v in extra if trusted or k.lower() in CROSS_ORIGIN_HEADERS]


def cookie_header(pairs: Iterable[tuple[str, str]], existing: str | None = None) -> str | None:
    """A Cookie header value: the configured pairs, then the ``existing`` ones.

    >>> cookie_header([("s", "v"), ("t", "w")], "jar=1")
    's=v; t=w; jar=1'
    >>> cookie_header([]) is None
    True
    """
    parts = [f"{name}={value}" for name, value in pairs]
    if existing:
        parts.append(existing)
    return "; ".join(parts) or None


def redirect_method(method: str, status: int) -> str:
    """The method of the next hop: 303 becomes GET, as do 301/302 after POST.

    >>> redirect_method("POST", 303), redirect_method("POST", 307), redirect_method("HEAD", 303)
    ('GET', 'POST', 'HEAD')
    """
    if status == 303 and method != "HEAD":
        return "GET"
    if status in (301, 302) and method == "POST":
        return "GET"
    return method


#: Where keep_location() puts a redirect's Location header.
_LOCATION_KEY: Final = "tidyscrape.location"


async def keep_location(response: httpx.Response) -> None:
    """Response hook: take a redirect's ``Location`` out of httpx's hands.

    httpx builds the next request of every redirect even when it does not
    follow it, and a ``Location`` it cannot parse (``data:...``, a bad host)
    then fails the whole response with a transport error.  We follow
    redirects ourselves, so the header moves to an extension that
    :func:`location` reads, and our own checks name the real problem.
    """
    if response.has_redirect_location:
        response.extensions[_LOCATION_KEY] = response.headers["location"]
        del response.headers["location"]


def location(response: httpx.Response) -> str | None:
    """The ``Location`` of a response (moved aside by keep_location, or still in place)."""
    moved = response.extensions.get(_LOCATION_KEY)
    return moved if isinstance(moved, str) else response.headers.get("location")


def redirect_target(url: str, location: str) -> str:
    """The absolute URL a ``Location`` header points to, fragment dropped.

    >>> redirect_target("https://a.org/x/y", "../z?q=1#frag")
    'https://a.org/z?q=1'
    >>> redirect_target("https://a.org/x", "//b.org/p")
    'https://b.org/p'

    A ``Location`` the URL parser refuses (``http://[::1/x``) is an
    :class:`InvalidURL`.
    """
    try:
        target = urljoin(url, location.strip())
    except ValueError as exc:
        raise InvalidURL(
            f"{url} redirects to {location[:200]!r}, which is not a valid URL ({exc}); "
            "the site is broken",
            url=url,
        ) from exc
    return target.split("#", 1)[0]


#: Longest host name DNS can carry (RFC 1035), and longest label in it.
_MAX_HOST: Final = 253
_MAX_LABEL: Final = 63


def normalize_url(url: str, max_length: int) -> str:
    """httpx's normal form of ``url`` (lower-case IDNA host), checked before any use.

    Loops compare equal in this form.  Refused with :class:`InvalidURL`: a URL
    over ``max_length`` characters, one httpx cannot parse, a port outside
    1-65535 and a host name DNS cannot carry (a label over 63 characters,
    over 253 in all) -- such a host fails in IDNA encoding, deep in the
    resolver, with an exception outside the FetchError tree.

    >>> normalize_url("HTTP://Example.ORG/a", 100)
    'http://example.org/a'
    >>> normalize_url("http://a.org:99999/", 100)
    Traceback (most recent call last):
    scraper.errors.InvalidURL: 'http://a.org:99999/' has port 99999, outside 1-65535
    """
    return str(_checked_url(url, max_length))


def normalized(url: str, max_length: int) -> tuple[str, httpx.URL | None]:
    """``normalize_url(url, max_length)``, and the request URL for it when it costs nothing.

    Why: a request to the normal form parses it again (``httpx.URL`` in
    ``AsyncClient.build_request``, ~15 us).  When ``url`` already was in
    normal form -- as the links a crawl queues are -- that second parse
    would read the very string the first one read, so its result is the
    first parse, which comes back as the second item to be sent as it is.
    Otherwise the second item is None and the request parses the normal
    form as before.  Same checks and errors as :func:`normalize_url`.

    >>> text, parsed = normalized("http://example.org/a", 100)
    >>> text, str(parsed)
    ('http://example.org/a', 'http://example.org/a')
    >>> normalized("HTTP://Example.ORG/a", 100)
    ('http://example.org/a', None)
    """
    parsed = _checked_url(url, max_length)
    text = str(parsed)
    return text, (parsed if text == url else None)


def _checked_url(url: str, max_length: int) -> httpx.URL:
    """``url`` parsed by httpx, after the checks :func:`normalize_url` documents."""
    if len(url) > max_length:
        raise InvalidURL(
            f"{url[:80]}... is {len(url)} characters long, over the {max_length} character "
            "cap (FetchConfig.max_url_length); such URLs are traps or broken links",
            url=url[:max_length],
        )
    check_scheme(url)
    try:
        parsed = httpx.URL(url)
        port = parsed.port
        host = parsed.raw_host.decode("ascii")
        # Decoding the host back from IDNA is what httpx does when it builds the
        # request: a malformed A-label ("xn--") fails there, so it fails here.
        if not parsed.host:
            raise ValueError("no host")
    except (httpx.InvalidURL, ValueError) as exc:  # UnicodeError (IDNAError) is a ValueError
        raise InvalidURL(f"{url!r} is not a valid URL ({exc})", url=url) from exc
    if port is not None and not 0 < port < 65536:
        raise InvalidURL(f"{url!r} has port {port}, outside 1-65535", url=url)
    if ":" not in host and literal_address(host) is None:
        name = host.removesuffix(".")
        if len(name) > _MAX_HOST:
            raise InvalidURL(
                f"{url[:120]!r}: its host name is {len(name)} characters long, "
                f"over the {_MAX_HOST} DNS allows",
                url=url,
            )
        if any(not 0 < len(label) <= _MAX_LABEL for label in name.split(".")):
            raise InvalidURL(
                f"{url[:120]!r}: its host name has an empty label or one over "
                f"{_MAX_LABEL} characters, which DNS cannot carry",
                url=url,
            )
    return parsed


class HopGuard:
    """Applies the address policy to one request sent through a custom transport.

    The default transport (transport.py) checks every connection itself,
    before it opens; a transport we did not build (``Fetcher(transport=...)``)
    connects on its own, so the fetcher guards each hop in two steps:

    1. ``preflight()``: the host's addresses (through the resolver; a literal
       is read, never resolved) must all pass, before any request is sent --
       a name resolving inward never gets a socket;
    2. the address actually connected to: for httpcore-based transports as
       soon as TCP is connected (a trace event), before a byte is sent;
       otherwise on the response (``check_response``), from the stream's
       ``server_addr``.  A transport that reports no address gives ``None``,
       which the default policy refuses: we fail closed.

    Step 2 catches a name that answers differently to the transport's own
    lookup (DNS rebinding), but for a transport without trace events only
    after the request was sent.  A guard without a policy does nothing.
    """

    def __init__(self, policy: AddressPolicy | None, resolver: Resolver, url: str) -> None:
        self._policy = policy
        self._resolver = resolver
        parts = urlsplit(url)
        self._host = parts.hostname or ""
        try:
            port = parts.port
        except ValueError:  # not a number: httpx refuses the URL later
            port = None
        self._port = port or _DEFAULT_PORTS.get(parts.scheme.lower(), 80)
        self._checked = False

    @property
    def extensions(self) -> dict[str, Any]:
        """Request extensions that hook the connect event (empty without a policy)."""
        return {} if self._policy is None else {"trace": self._trace}

    async def preflight(self) -> None:
        """Refuse the hop before sending when any address of its host is refused."""
        if self._policy is None:
            return
        try:
            addresses = await resolve_addresses(self._resolver, self._host, self._port)
        except OSError as exc:
            raise NetworkError(f"cannot resolve {self._host}: {exc}", url=None) from exc
        for address in addresses:
            self._policy(self._host, address)

    async def _trace(self, event: str, info: dict[str, Any]) -> None:
        if self._policy is None or event != "connection.connect_tcp.complete":
            return
        self._checked = True
        stream = info.get("return_value")
        try:
            self._policy(self._host, None if stream is None else _stream_address(stream))
        except BaseException:
            # httpcore has not adopted the stream yet: close it, or the socket leaks.
            aclose = getattr(stream, "aclose", None)
            if callable(aclose):
                await aclose()
            raise

    def check_response(self, response: httpx.Response) -> None:
        """Run the policy on the response's stream unless it already ran at connect."""
        if self._policy is not None and not self._checked:
            self._checked = True
            self._policy(self._host, peer_address(response))


def peer_address(response: httpx.Response) -> str | None:
    """The IP address the response came from, when the transport reports it."""
    stream = response.extensions.get("network_stream")
    return None if stream is None else _stream_address(stream)


def _stream_address(stream: object) -> str | None:
    """The peer IP of an httpcore network stream (None if it cannot tell)."""
    get_extra_info = getattr(stream, "get_extra_info", None)
    addr = get_extra_info("server_addr") if callable(get_extra_info) else None
    if isinstance(addr, tuple) and addr and isinstance(addr[0], str):
        return addr[0]
    return None


async def drain(response: httpx.Response) -> None:
    """Read and drop a small unwanted body (redirect, error) to keep the connection.

    Only when Content-Length says it is small and it is not compressed; a
    connection whose body is left unread is closed instead, which is correct,
    just slower.
    """
    size = response.headers.get("content-length", "")
    encoded = response.headers.get("content-encoding", "identity").strip().lower()
    if encoded != "identity" or not size.isdigit() or int(size) > DRAIN_MAX:
        return
    async for _chunk in response.aiter_raw():
        pass  # dropped: only the connection is wanted
