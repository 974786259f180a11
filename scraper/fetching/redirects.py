"""Pure helpers for following redirects hop by hop, and the address-policy seam.

We follow redirects ourselves (httpx's ``follow_redirects`` is off) so that
every hop goes through the robots.txt check and the address policy, and so
that credentials never travel to another origin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Final
from urllib.parse import urljoin, urlsplit

import httpx

from scraper.errors import BlockedAddress, FetchError

__all__ = [
    "REDIRECT_STATUSES",
    "SENSITIVE_HEADERS",
    "AddressPolicy",
    "check_scheme",
    "may_send_credentials",
    "origin",
    "peer_address",
    "redirect_method",
    "redirect_target",
    "request_headers",
]

logger = logging.getLogger(__name__)

#: Called once per hop, after the connection is made and the response head
#: has arrived, with the URL's host and the IP actually connected to (None
#: when the transport cannot tell).  It raises :class:`BlockedAddress` to
#: refuse the hop; its return value is ignored.
AddressPolicy = Callable[[str, str | None], None]

#: Statuses we follow.  Other 3xx (300, 304...) are final answers.
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})

#: Request headers that carry credentials: sent only to the first origin.
SENSITIVE_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization"})

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
        raise FetchError(f"{url!r} has no host; give a full URL such as https://host/path", url=url)


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
    extra: Iterable[tuple[str, str]],
    cookies: Iterable[tuple[str, str]],
    *,
    first_url: str,
    hop_url: str,
) -> list[tuple[str, str]]:
    """The configured headers for one hop, without credentials off the first origin.

    >>> request_headers([("Authorization", "x"), ("X-A", "1")], [("s", "v")],
    ...                 first_url="https://a.org/", hop_url="https://b.org/")
    [('X-A', '1')]
    >>> request_headers([], [("s", "v"), ("t", "w")],
    ...                 first_url="https://a.org/", hop_url="https://a.org/b")
    [('Cookie', 's=v; t=w')]
    """
    trusted = may_send_credentials(first_url, hop_url)
    headers = [(k, v) for k, v in extra if trusted or k.lower() not in SENSITIVE_HEADERS]
    pairs = list(cookies)
    if trusted and pairs:
        headers.append(("Cookie", "; ".join(f"{name}={value}" for name, value in pairs)))
    return headers


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


def redirect_target(url: str, location: str) -> str:
    """The absolute URL a ``Location`` header points to, fragment dropped.

    >>> redirect_target("https://a.org/x/y", "../z?q=1#frag")
    'https://a.org/z?q=1'
    >>> redirect_target("https://a.org/x", "//b.org/p")
    'https://b.org/p'
    """
    target = urljoin(url, location.strip())
    return target.split("#", 1)[0]


def peer_address(response: httpx.Response) -> str | None:
    """The IP address the response came from, when the transport reports it."""
    stream = response.extensions.get("network_stream")
    if stream is None:
        return None
    addr = stream.get_extra_info("server_addr")
    if isinstance(addr, tuple) and addr and isinstance(addr[0], str):
        return addr[0]
    return None
