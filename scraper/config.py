"""One typed configuration tree, passed in; never read from module state.

``Config`` holds a ``FetchConfig``, an ``ExtractConfig`` and the cleaners'
``CleanerConfig``.  Every field has a default and a comment; make variants
with :func:`dataclasses.replace`.  Files, environment and flags are read once,
at the edge (the CLI), and turned into one of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cleaners.config import CleanerConfig

__all__ = [
    "DEFAULT_MAX_MEMORY",
    "DEFAULT_USER_AGENT",
    "Config",
    "ExtractConfig",
    "FetchConfig",
]

#: Names the project and where to read about it, as polite crawlers do.
DEFAULT_USER_AGENT = "tidyscrape/0.1 (+https://pypi.org/project/tidyscrape/)"

#: Resident memory (bytes) past which an extraction worker is killed, by default.
DEFAULT_MAX_MEMORY = 384 * 1024 * 1024

#: Content types we read as documents; anything else is UnsupportedContent.
HTML_TYPES = (
    "text/html",
    "application/xhtml+xml",
    "text/plain",
    "application/xml",
    "text/xml",
)


@dataclass(frozen=True, slots=True)
class FetchConfig:
    """How pages are fetched.  The README's defaults table mirrors this class."""

    #: Total deadline in seconds for one fetch: connect, headers, body and
    #: redirects together.  A server that trickles bytes cannot hold us longer.
    timeout: float = 30.0
    #: Seconds to open a connection (per attempt, within the total deadline).
    connect_timeout: float = 10.0
    #: Seconds of silence allowed between two reads (within the total deadline).
    read_timeout: float = 15.0
    #: Cap on the decoded body in bytes, counted while streaming after decompression.
    max_size: int = 10 * 1024 * 1024
    #: Redirect hops followed before TooManyRedirects.
    max_redirects: int = 10
    #: Retries after the first attempt, for timeouts, connection errors, 429 and 5xx.
    retries: int = 3
    #: First backoff in seconds; it doubles each retry, with full jitter.
    backoff: float = 0.5
    #: Longest single backoff in seconds.
    backoff_max: float = 10.0
    #: Longest Retry-After we wait for in-line; a longer one raises RetryLaterError.
    retry_after_cap: float = 30.0
    #: The User-Agent header, and the agent name matched in robots.txt.
    user_agent: str = DEFAULT_USER_AGENT
    #: Extra request headers, as (name, value) pairs.
    headers: tuple[tuple[str, str], ...] = ()
    #: Cookies sent with every request, as (name, value) pairs.
    cookies: tuple[tuple[str, str], ...] = ()
    #: Obey robots.txt (RFC 9309).  ``--ignore-robots`` turns it off.
    obey_robots: bool = True
    #: Offer HTTP/2 (ALPN); servers that do not speak it get HTTP/1.1.  Only
    #: the "httpx" transport speaks it: with "aiohttp" it is a ConfigError.
    http2: bool = False
    #: Take proxies and CA bundles from the environment (HTTPS_PROXY, NO_PROXY...).
    trust_env: bool = True
    #: Verify TLS certificates.  Never turned off by the library on its own.
    verify: bool = True
    #: Content types accepted as documents.
    accept_types: tuple[str, ...] = HTML_TYPES
    #: Seconds between two requests to the same host (batches and crawls).
    per_host_delay: float = 1.0
    #: Concurrent requests per host (batches and crawls).
    per_host_concurrency: int = 1
    #: Concurrent requests overall (batches and crawls).
    concurrency: int = 8
    #: Networks (CIDR) a request may reach even though the address policy
    #: forbids them by default (loopback, private, link-local...).  A cloud
    #: metadata address is reached only when a network names it alone (/32, /128).
    allow_networks: tuple[str, ...] = ()
    #: Cap on the response headers in bytes (names and values); more is HeadersTooLarge.
    max_header_bytes: int = 64 * 1024
    #: Longest URL fetched, redirects included, in characters; longer is InvalidURL.
    max_url_length: int = 8192
    #: Retries one host may spend before it has earned more: each retry costs
    #: one, each request that needed none earns back ``retry_budget_ratio``.
    #: A host that keeps failing then gets one attempt per fetch, not four.
    retry_budget: int = 10
    #: Retry budget earned back per request to a host that needed no retry.
    retry_budget_ratio: float = 0.2
    #: Total deadline in seconds for fetching one robots.txt (at most half of
    #: ``timeout``); running out means "disallow for now", as RFC 9309 says.
    robots_timeout: float = 10.0
    #: The HTTP client under the fetcher (the API is httpx's either way):
    #: "aiohttp" (HTTP/1.1; about half the CPU per page of the other) or
    #: "httpx" (httpcore; HTTP/2 when ``http2``).  Both connect only where the
    #: address policy allows; requests through an environment proxy
    #: (``trust_env``) go through httpx with either.  Anything else is a
    #: ConfigError.
    transport: Literal["httpx", "aiohttp"] = "aiohttp"


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """How an article is pulled out of a page."""

    #: Keep tables in the body text.
    include_tables: bool = True
    #: Run the text through the cleaners pipeline (``--no-clean`` turns it off).
    clean: bool = True
    #: Also render the body as Markdown (``Article.markdown``).
    markdown: bool = False
    #: Detect the language from the text when the page does not declare it,
    #: and override a declared one when detection is confident.
    detect_language: bool = True
    #: Characters of body text read for a first language guess; only when that
    #: guess is unsure is a longer sample read.  Detection time grows with the
    #: sample, and a few hundred characters settle almost every page (300 and
    #: 600 gave the same language on all 781 benchmark pages).
    language_sample: int = 300
    #: Fewer words than this in the body means the page holds no article.
    min_words: int = 8
    #: Deadline in seconds for one extraction in a worker process (CLI, crawl).
    timeout: float = 20.0
    #: Resident memory in bytes past which an extraction worker is killed and
    #: the page fails with ``ExtractionError`` (None: no bound).
    max_memory: int | None = DEFAULT_MAX_MEMORY


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration: fetching, extraction and cleaning."""

    fetch: FetchConfig = field(default_factory=FetchConfig)
    extract: ExtractConfig = field(default_factory=ExtractConfig)
    clean: CleanerConfig = field(default_factory=CleanerConfig)
