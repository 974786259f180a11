"""httpx errors mapped to the scraper error tree, at the boundary.

Transient failures (timeouts, refused or reset connections) come back wrapped
in :class:`Retryable` with the reason counted in ``Page.retries``; the rest
are final.  A TLS failure is final too: a retry would meet the same
certificate.
"""

from __future__ import annotations

import ssl

import httpx

from scraper.errors import BlockedAddress, FetchError, NetworkError
from scraper.fetching.retry import Retryable

__all__ = ["caused_by_tls", "map_httpx_error"]


def map_httpx_error(exc: httpx.HTTPError, url: str) -> Exception:
    """The scraper error (or Retryable wrapper) for an httpx error."""
    if isinstance(exc, httpx.TimeoutException):
        error = NetworkError(
            f"{url} timed out ({type(exc).__name__}); the server is slow or unreachable", url=url
        )
        return Retryable(error, "timeout")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return BlockedAddress(f"only http and https URLs are fetched, not {url!r}", url=url)
    if isinstance(exc, httpx.DecodingError):
        return FetchError(
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
        error = NetworkError(f"could not fetch {url}: {exc or type(exc).__name__}", url=url)
        return Retryable(error, "connection")
    return FetchError(f"could not fetch {url}: {exc}", url=url)


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
