"""Every error the library raises, in one small tree.

Each error's docstring says when it is raised; its message says what to do.
The CLI maps the whole tree to exit codes and, in JSON Lines output, to
``{"error": {"type": <class name>, "message": ...}}`` records.

    ScraperError
    ├── ConfigError               a bad option, flag or job file
    ├── InputError                an input file or stdin that cannot be read
    ├── FetchError                anything that stops a fetch (has ``.url``)
    │   ├── NetworkError          connection refused / reset, DNS failure, TLS
    │   │   └── TruncatedBody     the body ended before its Content-Length (or its end)
    │   ├── DeadlineExceeded      the total deadline of a fetch ran out
    │   ├── HTTPStatusError       a final 4xx / 5xx answer (has ``.status``)
    │   │   └── RetryLaterError   429 / 503 whose Retry-After is too far away
    │   ├── TooManyRedirects      redirect limit reached, or a redirect loop
    │   ├── BodyTooLarge          decoded body over the size cap
    │   ├── HeadersTooLarge       response headers over the header cap
    │   ├── ContentEncodingError  a body that does not decode as its Content-Encoding says
    │   ├── UnsupportedContent    PDF, image or other non-HTML body
    │   ├── UndecodableContent    text whose character encoding cannot be told (no mojibake)
    │   ├── RobotsDisallowed      robots.txt forbids the URL for our agent
    │   ├── BlockedAddress        the address policy refused the host
    │   └── InvalidURL            a malformed URL, or one over the URL length cap
    ├── ExtractionError           the page could not be turned into an article
    │   ├── NoArticleError        the page holds no article (shell, wall, login)
    │   └── FeedError             a sitemap or feed that cannot be read safely
    │       └── FeedTooLarge      a sitemap or feed over the size cap once decompressed
    └── StoreError                the crawl store failed (disk full, connection lost...)
        └── StoreLocked           another process is running this job on this store
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "BlockedAddress",
    "BodyTooLarge",
    "ConfigError",
    "ContentEncodingError",
    "DeadlineExceeded",
    "ExtractionError",
    "FeedError",
    "FeedTooLarge",
    "FetchError",
    "HTTPStatusError",
    "HeadersTooLarge",
    "InputError",
    "InvalidURL",
    "NetworkError",
    "NoArticleError",
    "RetryLaterError",
    "RobotsDisallowed",
    "ScraperError",
    "StoreError",
    "StoreLocked",
    "TooManyRedirects",
    "TruncatedBody",
    "UndecodableContent",
    "UnsupportedContent",
]


class ScraperError(Exception):
    """Base class of every error raised by the ``scraper`` package."""


class ConfigError(ScraperError):
    """An option, flag or job file has a value we cannot use."""


class InputError(ScraperError):
    """An input file (or stdin) is missing, unreadable or not a document."""


class FetchError(ScraperError):
    """A URL could not be fetched; ``url`` is the URL that failed."""

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class NetworkError(FetchError):
    """The connection failed: DNS, refused, reset, TLS, or a read timeout."""


class TruncatedBody(NetworkError):
    """The body ended early: fewer bytes than its Content-Length, a chunked body
    without its last chunk, a compressed stream cut short, or a connection reset
    while the body was read.  Retried like other connection errors.
    """


class DeadlineExceeded(FetchError):
    """The total deadline of the fetch (connect, headers and body) ran out."""


class HTTPStatusError(FetchError):
    """The server answered with a final error status (after any retries)."""

    def __init__(self, message: str, *, url: str | None = None, status: int) -> None:
        super().__init__(message, url=url)
        self.status = status


class RetryLaterError(HTTPStatusError):
    """The server asked us to come back later than we may wait (429/503 + Retry-After).

    ``retry_at`` is the UTC time the server named: a crawl reschedules the URL
    for then instead of hammering the server.
    """

    def __init__(
        self, message: str, *, url: str | None = None, status: int, retry_at: dt.datetime
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.retry_at = retry_at


class TooManyRedirects(FetchError):
    """The redirect limit was reached, or the redirects went round in a loop."""


class BodyTooLarge(FetchError):
    """The decoded body grew past the size cap (``--max-size``)."""


class HeadersTooLarge(FetchError):
    """The response headers are larger than ``FetchConfig.max_header_bytes``
    (or than the HTTP parser's own hard limit): not a page anyone should serve.
    """


class ContentEncodingError(FetchError):
    """The body does not decode as its ``Content-Encoding`` says (broken gzip,
    deflate, brotli or zstd data), or names an encoding we do not know, or
    stacks more encodings than we decode.  Not retried: the server is broken.
    """


class UnsupportedContent(FetchError):
    """The body is not an HTML or text document (PDF, image, archive, binary)."""


class UndecodableContent(FetchError):
    """The body is text, but its character encoding cannot be told with confidence.

    Raised by ``decode_document`` (so by every fetch, and by ``extract`` on
    bytes) when no charset is declared, or the declared one reads as
    nonsense, and no legacy encoding reads the text clearly better than
    another (Polish in ISO-8859-2 or windows-1250, Turkish in windows-1254 or
    windows-1252...): any choice could be mojibake, and mojibake stored as
    text is worse than a page recorded as failed.  ``candidates`` names the
    encodings that came closest, best first.

    A ``FetchError``, beside ``UnsupportedContent``: the body was received but
    cannot be read as a document, the same for a fetched page and for bytes
    given to ``extract``; the crawl records it per page and goes on.
    """

    def __init__(
        self, message: str, *, url: str | None = None, candidates: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, url=url)
        self.candidates = candidates


class RobotsDisallowed(FetchError):
    """robots.txt forbids this URL for our user agent (``--ignore-robots`` overrides)."""


class BlockedAddress(FetchError):
    """The host resolves to an address the network policy forbids (loopback, private...)."""


class InvalidURL(FetchError):
    """A URL (given, or in a redirect) is malformed, has no host, or is longer
    than ``FetchConfig.max_url_length``.
    """


class ExtractionError(ScraperError):
    """The document could not be parsed or turned into an article."""


class NoArticleError(ExtractionError):
    """The page holds no article: a JavaScript shell, a consent wall, a login or empty page.

    ``metadata`` keeps what the page itself states (its ``title``, ``canonical_url``,
    ``author``, ``date``, ``language``, ``sitename``, ``description``: the keys of
    :meth:`scraper.Article.to_dict` without the body), empty when it was not read.
    """

    def __init__(self, message: str, *, metadata: dict[str, str | None] | None = None) -> None:
        super().__init__(message)
        self.metadata: dict[str, str | None] = dict(metadata or {})


class FeedError(ExtractionError):
    """A sitemap or feed could not be read: not XML or JSON, malformed beyond
    recovery, unsafe (declares XML entities), or not a sitemap / feed at all.

    The message names the URL and the cause.  One bad file stops only itself:
    the crawl records it and goes on with the others.
    """


class FeedTooLarge(FeedError):
    """A sitemap or feed is over the size cap once decompressed (50 MB, the
    sitemap protocol's limit): a decompression bomb or a file to split.
    """


class StoreError(ScraperError):
    """The crawl store failed: disk full, database unreachable, schema too new.

    Nothing committed before the failure is lost; rerun the same command to resume.
    """


class StoreLocked(StoreError):
    """Another live process is running this job on this SQLite store.

    Wait for it to finish, or use a PostgreSQL store to run several workers.
    """
