"""httpx errors mapped to the scraper error tree, at the boundary.

Transient failures (timeouts, refused or reset connections) come back wrapped
in :class:`Retryable` with the reason counted in ``Page.retries``; the rest
are final.  A TLS failure is final too: a retry would meet the same
certificate.
"""

from __future__ import annotations

import ssl

import httpx

from scraper.errors import (
    BlockedAddress,
    ContentEncodingError,
    FetchError,
    HeadersTooLarge,
    InvalidURL,
    NetworkError,
    TruncatedBody,
)
from scraper.fetching.retry import Retryable

__all__ = ["caused_by_tls", "map_body_error", "map_httpx_error"]

#: What h11 says when a response head (or a chunk header) outgrows its buffer.
_HEAD_TOO_LONG = "Receive buffer too long"
#: What httpx says when a Location header is not a valid URL.
_BAD_LOCATION = "Invalid URL in location header"
#: httpcore's own cap on a response head, in bytes (h11's max_incomplete_event_size).
HTTPCORE_HEAD_LIMIT = 100 * 1024


def map_httpx_error(exc: httpx.HTTPError, url: str) -> Exception:
    """The scraper error (or Retryable wrapper) for an httpx error."""
    if isinstance(exc, httpx.TimeoutException):
        error = NetworkError(
            f"{url} timed out ({type(exc).__name__}); the server is slow or unreachable", url=url
        )
        return Retryable(error, "timeout")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return BlockedAddress(f"only http and https URLs are fetched, not {url!r}", url=url)
    if isinstance(exc, httpx.RemoteProtocolError) and _BAD_LOCATION in str(exc):
        # httpx parses Location even when it does not follow redirects.
        return InvalidURL(f"{url} redirects to something that is not a valid URL ({exc})", url=url)
    if isinstance(exc, httpx.RemoteProtocolError) and _HEAD_TOO_LONG in str(exc):
        return HeadersTooLarge(
            f"{url} sent a response head (or chunk header) over "
            f"{HTTPCORE_HEAD_LIMIT // 1024} KiB; the server is broken or hostile",
            url=url,
        )
    if isinstance(exc, httpx.DecodingError):
        return ContentEncodingError(
            f"{url} sent a body that does not match its Content-Encoding ({exc}); "
            "the server is broken",
            url=url,
        )
    if isinstance(exc, httpx.LocalProtocolError):
        return FetchError(f"could not send the request to {url}: {exc}", url=url)
    if isinstance(exc, httpx.TransportError):
        if caused_by_tls(exc):
            return NetworkError(
                f"TLS with {url} failed ({exc}); the certificate or TLS setup is wrong "
                "(a retry would not help)",
                url=url,
            )
        error = NetworkError(f"could not fetch {url}: {_reason(exc)}", url=url)
        return Retryable(error, "connection")
    return FetchError(f"could not fetch {url}: {exc}", url=url)


def map_body_error(exc: httpx.HTTPError, url: str) -> Exception:
    """The error for an httpx failure while the body was being read.

    A connection that closes or resets before the body's announced end is a
    :class:`TruncatedBody` (retried); timeouts and the rest map as usual.
    """
    if isinstance(exc, httpx.TimeoutException) or not isinstance(exc, httpx.TransportError):
        return map_httpx_error(exc, url)
    mapped = map_httpx_error(exc, url)
    if not isinstance(mapped, Retryable):
        return mapped
    error = TruncatedBody(
        f"{url}: the body stopped before its end ({_reason(exc)}); "
        "the server or the network cut it short (try again later)",
        url=url,
    )
    return Retryable(error, "truncated")


def caused_by_tls(exc: BaseException) -> bool:
    """Whether an ssl.SSLError is in the cause chain of ``exc`` (httpx wraps it)."""
    seen: BaseException | None = exc
    for _ in range(10):  # causes form a short chain; bound the walk anyway
        if seen is None:
            return False
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _reason(exc: Exception) -> str:
    """What went wrong, in words: httpx leaves the text of a reset empty.

    >>> _reason(httpx.ReadError("")), _reason(httpx.ConnectError("refused"))
    ('the connection was reset or closed (ReadError)', 'refused')
    """
    return str(exc) or f"the connection was reset or closed ({type(exc).__name__})"
