"""URL normalisation, crawl scope and crawler-trap rules: pure functions, no I/O.

``normalize_url`` makes the frontier's dedup key (``NewURL.url``): one string
per page, whatever spelling a link used.  ``Scope`` says which URLs a crawl
may queue; ``PageBudgets`` bounds the URL patterns where endless URL spaces
live (calendars, facets, session ids).  The tables are in ``urldata``.

Why not ``courlan.normalize_url`` / ``courlan.clean_url`` (courlan 1.4)
---------------------------------------------------------------------------
We checked them against what a dedup key needs, and each of these merges
different pages or keeps apart the same page:

* it removes any parameter matching ``TRACKERS_RE`` with ``re.search``:
  ``?game=5``, ``?gallery=3``, ``?cid=7``, ``?source=x``, ``?keyword=y``,
  ``?session=1`` all vanish (``\\bga`` matches ``game``), so every page of a
  listing collapses into one URL and the rest are never fetched;
* it drops blank and valueless parameters (``?preview``, ``?a=``);
* it runs ``html.unescape`` on the URL: ``?a=1&copy=2`` becomes ``?a=1©=2``;
* it keeps the fragment (``strict=False``), does not resolve ``.``/``..``,
  percent-encodes ``+`` and ``;`` in paths (``/a+b`` becomes ``/a%2Bb``, a
  different URL), leaves ``%7E`` and lower-case escapes as they are;
* it lower-cases user info (a password changes), turns ``xn--`` hosts into
  Unicode (we want the ASCII form httpx sends), and passes ``javascript:``
  and ``mailto:`` through; ``clean_url`` also replaces a share link
  (``/share?url=https://other/``) with the URL embedded in it.

So the normaliser is written here on ``urllib.parse`` and ``idna`` (which
httpx uses), following RFC 3986 section 6 and the WHATWG URL standard's
percent-encode sets; the tests pin each courlan case above.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Final
from urllib.parse import unquote, urljoin, urlsplit

import idna

from scraper.crawling.urldata import (
    DEFAULT_PORTS,
    DEFAULT_TRAP_BUDGETS,
    MAX_PATH_SEGMENTS,
    MAX_QUERY_LENGTH,
    MAX_QUERY_PARAMS,
    MAX_SEGMENT_REPEATS,
    MAX_URL_LENGTH,
    SESSION_PARAMS,
    SESSION_PATH_PARAMS,
    SESSION_PATH_SEGMENT,
    SESSION_TOKEN,
    SESSION_TOKEN_PARAMS,
    TRACKING_PARAMS,
    TRACKING_PREFIXES,
)
from scraper.errors import ConfigError

__all__ = [
    "DEFAULT_BUDGETS",
    "MAX_URL_LENGTH",
    "PageBudgets",
    "PatternBudget",
    "Scope",
    "host_of",
    "is_session_token",
    "is_tracking_param",
    "normalize_url",
    "trap_reason",
]

logger = logging.getLogger(__name__)

# WHATWG strips C0 controls and spaces at both ends, and tabs/newlines anywhere.
_STRIP: Final = "".join(map(chr, range(0x21)))
_TAB_NEWLINE: Final = re.compile(r"[\t\n\r]")
_ABSOLUTE: Final = ("http://", "https://")
_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

# What gets percent-encoded: the WHATWG path / query percent-encode sets
# (C0, space, ", <, >, `, {, }, DEL, non-ASCII) plus stray "%" and any
# escape to re-case.  Everything else printable stays as written: "+", ";",
# "=", "[", "]" are reserved characters and encoding them would make another URL.
_PATH_ESCAPES: Final = re.compile(r"%(?:[0-9A-Fa-f]{2})?|[^\x21-\x7e]|[\"<>`{}#?]")
_QUERY_ESCAPES: Final = re.compile(r"%(?:[0-9A-Fa-f]{2})?|[^\x21-\x7e]|[\"<>`{}#]")
_UNRESERVED: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

_SESSION_PATH: Final = re.compile(
    r";(?:" + "|".join(SESSION_PATH_PARAMS) + r")=[^/;]*", re.IGNORECASE
)
_SESSION_SEGMENT: Final = re.compile(SESSION_PATH_SEGMENT)
_SESSION_TOKEN: Final = re.compile(SESSION_TOKEN)
_SLASHES: Final = re.compile(r"/{2,}")
# Letters, digits, "-" and "_" (seen in real host names), labels of 1-63 characters.
_ASCII_HOST: Final = re.compile(r"[a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*")
# A URL that ``normalize_url`` gives back as it is (see ``_already_normal``):
# lower-case http(s) scheme and ASCII host (``_ASCII_HOST``), an explicit port
# without leading zero, a path of printable ASCII that no step rewrites (no
# "%", ";", "(", "\\" nor characters that get escaped), no query or fragment.
_NORMAL: Final = re.compile(
    r"(https?)://([a-z0-9_-]{1,63}(?:\.[a-z0-9_-]{1,63})*)(?::([1-9][0-9]{0,4}))?"
    r"(/[!$&')*+,\-./0-9:=@A-Z\[\]^_a-z|~]*)"
)


def _escape(match: re.Match[str]) -> str:
    """One percent-encoding decision: decode unreserved, upper-case hex, encode the rest."""
    text = match.group(0)
    if text[0] == "%":
        if len(text) == 1:  # a "%" that starts no escape is a literal percent sign
            return "%25"
        char = chr(int(text[1:], 16))
        return char if char in _UNRESERVED else text.upper()
    return "".join(f"%{byte:02X}" for byte in text.encode("utf-8"))


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 on an absolute path (``/a/b/../c`` -> ``/a/c``)."""
    segments = path.split("/")
    out: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if out:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")
    return "/" + "/".join(out)


def _normalize_path(path: str) -> str:
    path = _PATH_ESCAPES.sub(_escape, path)
    if ";" in path:
        path = _SESSION_PATH.sub("", path)
    if "(" in path:
        path = _SESSION_SEGMENT.sub("", path)
    if "//" in path:
        path = _SLASHES.sub("/", path)
    if "/." in path:
        path = _remove_dot_segments(path)
    return path or "/"


def is_tracking_param(name: str) -> bool:
    """True if a query parameter only tracks the visitor (``utm_*``, ``fbclid``, sessions).

    Only names that never select content are listed (see ``urldata``):
    removing one must not merge two different pages.

    >>> is_tracking_param("UTM_Source"), is_tracking_param("fbclid"), is_tracking_param("game")
    (True, True, False)
    """
    key = (unquote(name) if "%" in name else name).lower()
    return key in TRACKING_PARAMS or key in SESSION_PARAMS or key.startswith(TRACKING_PREFIXES)


def is_session_token(name: str, value: str) -> bool:
    """True if ``name=value`` is a session id by its value (``?sid=<32 hex digits>``).

    Only for names that also carry content (``urldata.SESSION_TOKEN_PARAMS``):
    ``?sid=`` names a story on some sites and ``?s=`` is WordPress's search.

    >>> is_session_token("sid", "0f" * 16), is_session_token("sid", "06/01/01/1234")
    (True, False)
    >>> is_session_token("s", "climate"), is_session_token("id", "0f" * 16)
    (False, False)
    """
    key = (unquote(name) if "%" in name else name).lower()
    return key in SESSION_TOKEN_PARAMS and _SESSION_TOKEN.fullmatch(value) is not None


def _normalize_query(query: str) -> str:
    # Escaping never touches "&" or "=", and keeps "%26" / "%3D" encoded, so
    # the whole query is escaped at once before it is split.
    query = _QUERY_ESCAPES.sub(_escape, query)
    kept: list[tuple[str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        name, eq, value = piece.partition("=")
        if not is_tracking_param(name) and not is_session_token(name, value):
            kept.append((name, eq + value))
    # Sort by name only, and stably: repeated names (?id=2&id=1) may be an
    # ordered list to the server, so their relative order is kept.
    kept.sort(key=lambda pair: pair[0])
    return "&".join(name + rest for name, rest in kept)


def _normalize_host(host: str) -> str | None:
    """ASCII (IDNA) lower-case host without trailing dot; IPv6 compressed; None if invalid."""
    if ":" in host:  # an IPv6 literal, brackets removed
        if "%" in host:  # a zone id (fe80::1%eth0) names a local interface: never crawled
            return None
        try:
            return ipaddress.IPv6Address(host).compressed
        except ValueError:
            return None
    if "%" in host:
        host = unquote(host)
    host = host.lower()
    if host.endswith("."):
        host = host[:-1]
    if not host.isascii():
        try:
            host = idna.encode(host, uts46=True).decode("ascii")
        except idna.IDNAError:
            # IDNA 2008 refuses some registered names (emoji, some symbols)
            # that IDNA 2003 and browsers still map; try that before giving up.
            try:
                host = host.encode("idna").decode("ascii").lower()
            except UnicodeError:
                return None
    if len(host) > 253 or _ASCII_HOST.fullmatch(host) is None:
        return None
    return host


def _split_authority(netloc: str) -> tuple[str, int | None]:
    """(host, port) of an authority; user info dropped; port 0 when invalid.

    Faster than ``SplitResult.hostname`` and ``.port``, which parse it twice.
    """
    hostport = netloc.rpartition("@")[2]
    if hostport.startswith("["):
        host, bracket, rest = hostport[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return "", 0
        port_text = rest[1:]
    else:
        host, _, port_text = hostport.partition(":")
    if not port_text:
        return host, None
    if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
        return host, 0
    return host, int(port_text)


def _already_normal(url: str, max_length: int) -> bool:
    """Whether ``normalize_url(url)`` is ``url`` itself, known from one regex match.

    Why: the crawl normalises mostly URLs that are normal already (links
    written absolute, final URLs, canonicals), and proving that costs a
    fraction of the full steps.  True only when none of them would change a
    character: no dot segment or "//" in the path, a port that is not the
    scheme's default, a host of at most 253 characters.  False means "take
    the full path", not "not normal".  An absolute URL's result does not
    depend on the base, so this holds for any ``base``.

    >>> _already_normal("https://example.com/a/b.html", 100)
    True
    >>> _already_normal("https://example.com:443/a", 100), _already_normal("https://example.com/./a", 100)
    (False, False)
    """  # noqa: E501
    match = _NORMAL.fullmatch(url)
    if match is None or len(url) > max_length:
        return False
    scheme, host, port, path = match.groups()
    if "//" in path or "/." in path or len(host) > 253:
        return False
    return port is None or (int(port) <= 65535 and int(port) != DEFAULT_PORTS[scheme])


def normalize_url(
    url: str, base: str | None = None, *, max_length: int = MAX_URL_LENGTH
) -> str | None:
    """The canonical absolute form of an http(s) URL, or None when it is not one.

    Why: the frontier deduplicates on this exact string, so every spelling of
    one page must give the same result, and no two pages may.  Steps: resolve
    against ``base``; keep only http and https; lower-case scheme and host;
    IDNA (ASCII) host; drop user info, default port and fragment; remove
    tracking and session parameters (``urldata``); sort the query by name;
    normalise percent-encoding (decode unreserved characters, upper-case the
    rest, encode what must be); resolve ``.`` and ``..``; collapse ``//``.
    None for other schemes (mailto:, javascript:, data:, file:), unparseable
    URLs and results longer than ``max_length``.  Never raises on a ``str``.

    >>> normalize_url("HTTP://Example.COM:80/a/./b/../c?utm_source=x&b=2&a=1#top")
    'http://example.com/a/c?a=1&b=2'
    >>> normalize_url("../img/%7euser/caf\\u00e9", base="https://bücher.de/x/y/")
    'https://xn--bcher-kva.de/x/img/~user/caf%C3%A9'
    >>> normalize_url("javascript:void(0)", base="https://example.com/") is None
    True
    """
    if len(url) > 4 * max_length:  # bound the work before parsing anything
        return None
    if _already_normal(url, max_length):
        return url
    text = url.strip(_STRIP)
    if "\t" in text or "\n" in text or "\r" in text:
        text = _TAB_NEWLINE.sub("", text)
    if "\\" in text:
        # Browsers read "\" as "/" in http(s) URLs before the query.
        head, sep, tail = text.partition("?")
        text = head.replace("\\", "/") + sep + tail
    scheme_match = _SCHEME.match(text)
    if scheme_match and scheme_match.group(1).lower() not in DEFAULT_PORTS:
        return None  # mailto:, javascript:, data:... (urljoin would return them as they are)
    try:
        # urljoin is the slowest step; an absolute http(s) URL does not need it
        # (its dot segments are resolved below anyway).
        if base is not None and not text[:8].lower().startswith(_ABSOLUTE):
            text = urljoin(base.strip(_STRIP), text)
        parts = urlsplit(text)
        scheme = parts.scheme
        if scheme not in DEFAULT_PORTS:
            return None
        hostname, port = _split_authority(parts.netloc)
        host = _normalize_host(hostname) if hostname else None
        if host is None or port == 0:
            return None
        path = _normalize_path(parts.path)
        query = _normalize_query(parts.query) if parts.query else ""
    except ValueError:
        # urlsplit/urljoin: bad IPv6 literal, netloc changed by NFKC;
        # _escape: lone surrogates that have no UTF-8 form.
        return None
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    result = f"{scheme}://{host}{path}?{query}" if query else f"{scheme}://{host}{path}"
    return result if len(result) <= max_length else None


def host_of(url: str) -> str:
    """The host of a URL: lower-case, ASCII (IDNA), no port, no brackets; "" if none.

    Why: politeness slots and scope checks key on the host, and must agree
    with ``normalize_url`` however the URL was spelled.  On normalised URLs
    it equals the store's ``host_of`` (``urlsplit(url).hostname``).

    >>> host_of("https://User@Bücher.DE:8443/a"), host_of("http://[::1]:80/"), host_of("nope")
    ('xn--bcher-kva.de', '::1', '')
    """
    # As in normalize_url (WHATWG): a backslash is a slash in http(s) URLs,
    # so "http://example.com\\" has the host example.com.
    try:
        hostname = urlsplit(url.strip(_STRIP).replace("\\", "/")).hostname
    except ValueError:
        return ""
    if not hostname:
        return ""
    return _normalize_host(hostname) or ""


def trap_reason(
    url: str,
    *,
    max_path_segments: int = MAX_PATH_SEGMENTS,
    max_segment_repeats: int = MAX_SEGMENT_REPEATS,
    max_query_length: int = MAX_QUERY_LENGTH,
    max_query_params: int = MAX_QUERY_PARAMS,
) -> str | None:
    """Why a (normalised) URL looks like a crawler trap, or None.

    Why: relative links that keep appending themselves (``/a/b/a/b/a/b``),
    state echoed into ever longer query strings, and paths dozens of levels
    deep produce endless distinct URLs that no site really has.  These
    structural limits catch them without knowing the site; patterns that are
    only suspicious in bulk (calendars) get budgets instead (``PageBudgets``).

    >>> trap_reason("https://a.example/news/2024/06/18/story")
    >>> trap_reason("https://a.example/x/y/x/y/x/y/")
    'repeated path segment'
    """
    parts = urlsplit(url)
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) > max_path_segments:
        return "too many path segments"
    if segments and max(Counter(segments).values()) > max_segment_repeats:
        return "repeated path segment"
    if len(parts.query) > max_query_length:
        return "query string too long"
    if parts.query.count("&") + 1 > max_query_params:
        return "too many query parameters"
    return None


def _compile(pattern: str, what: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise ConfigError(f"{what}: {pattern!r} is not a valid regular expression ({exc})") from exc


@dataclass(frozen=True, slots=True)
class PatternBudget:
    """At most ``max_pages`` URLs per host may match ``pattern`` (a regex, case-insensitive).

    A pattern of ``""`` matches every URL: a plain per-host page budget.  A
    pattern with a named group ``page`` counts per listing instead of per
    host: URLs equal but for that group (the page number) share a count.
    """

    #: Name used in counts and logs ("calendar-query").
    name: str
    #: Regular expression searched in the normalised URL.
    pattern: str
    #: URLs per host (or per listing) that may match before further ones are refused.
    max_pages: int
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", _compile(self.pattern, f"budget {self.name!r}"))
        if self.max_pages < 0:
            raise ConfigError(f"budget {self.name!r}: max_pages must be 0 or more")

    def matches(self, url: str) -> bool:
        """True if ``url`` counts against this budget."""
        return self._regex.search(url) is not None

    def listing(self, url: str) -> str | None:
        """What ``url`` is counted under: None if it does not match, "" for the whole host.

        >>> pages = PatternBudget("pages", r"/page/(?P<page>\\d+)", 10)
        >>> pages.listing("https://a.example/news/page/7/"), pages.listing("https://a.example/")
        ('https://a.example/news/page//', None)
        >>> PatternBudget("any", "", 10).listing("https://a.example/")
        ''
        """
        match = self._regex.search(url)
        if match is None:
            return None
        if "page" not in self._regex.groupindex or match.start("page") < 0:
            return ""
        return url[: match.start("page")] + url[match.end("page") :]


#: The default trap budgets (``urldata.DEFAULT_TRAP_BUDGETS``).
DEFAULT_BUDGETS: Final = tuple(PatternBudget(*row) for row in DEFAULT_TRAP_BUDGETS)


def _domain(name: str) -> str:
    cleaned = name.strip().lstrip("*").lstrip(".")
    host = _normalize_host(cleaned) if cleaned else None
    if host is None:
        raise ConfigError(f"scope domain {name!r} is not a host name; write e.g. 'example.com'")
    return host


@dataclass(frozen=True, slots=True)
class Scope:
    """Which URLs a crawl may queue: hosts, patterns, depth, length and trap limits.

    ``allows`` is pure.  The per-pattern budgets need counting across the
    crawl; that is ``PageBudgets(scope.budgets)``'s job.
    """

    #: Hosts or domains the crawl stays on (IDN allowed); empty = any host.
    domains: tuple[str, ...] = ()
    #: Also allow subdomains of ``domains`` (``news.example.com`` for ``example.com``).
    include_subdomains: bool = True
    #: Regexes (case-insensitive, searched in the URL); if any are given, a URL must match one.
    include: tuple[str, ...] = ()
    #: Regexes; a URL matching any is refused.
    exclude: tuple[str, ...] = ()
    #: Link depth from the seeds (seeds are 0); None = unlimited.
    max_depth: int | None = None
    #: Longest URL queued, in characters.
    max_url_length: int = MAX_URL_LENGTH
    #: Structural trap limits (see ``trap_reason``).
    max_path_segments: int = MAX_PATH_SEGMENTS
    max_segment_repeats: int = MAX_SEGMENT_REPEATS
    max_query_length: int = MAX_QUERY_LENGTH
    max_query_params: int = MAX_QUERY_PARAMS
    #: Per-host page budgets for trap-prone URL patterns (calendars, facets...).
    budgets: tuple[PatternBudget, ...] = DEFAULT_BUDGETS
    _hosts: frozenset[str] = field(init=False, repr=False, compare=False)
    _include: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _exclude: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hosts", frozenset(_domain(d) for d in self.domains))
        include = tuple(_compile(p, "scope include pattern") for p in self.include)
        exclude = tuple(_compile(p, "scope exclude pattern") for p in self.exclude)
        object.__setattr__(self, "_include", include)
        object.__setattr__(self, "_exclude", exclude)

    @classmethod
    def from_seeds(cls, seeds: Iterable[str], template: Scope | None = None) -> Scope:
        """``template`` (or the default scope) limited to the seeds' hosts.

        ``www.`` is dropped, so that with ``include_subdomains`` a seed on
        ``www.example.com`` also admits ``example.com`` and ``m.example.com``
        (what a quick ``scraper crawl URL`` means).

        >>> scope = Scope.from_seeds(["https://www.example.com/news/"], Scope(max_depth=3))
        >>> scope.domains, scope.allows("https://m.example.com/a", 1)
        (('example.com',), True)
        """
        hosts = {host_of(seed).removeprefix("www.") for seed in seeds}
        return replace(template or cls(), domains=tuple(sorted(h for h in hosts if h)))

    def host_allowed(self, host: str) -> bool:
        """True if ``host`` (ASCII, lower-case) is one of ``domains`` (or below one)."""
        if not self._hosts or host in self._hosts:
            return True
        if self.include_subdomains:
            return any(host.endswith("." + domain) for domain in self._hosts)
        return False

    def reason(self, url: str, depth: int) -> str | None:
        """Why ``url`` (normalised) at ``depth`` is out of scope, or None if it is in.

        >>> scope = Scope(domains=("example.com",), max_depth=2, exclude=(r"/login",))
        >>> scope.reason("https://example.com/a", 3), scope.reason("https://other.org/", 0)
        ('deeper than max_depth', 'host not in domains')
        >>> scope.reason("https://example.com/login?next=/", 0)
        'matches an exclude pattern'
        >>> scope.allows("https://example.com/a", 2)
        True
        """
        if self.max_depth is not None and depth > self.max_depth:
            return "deeper than max_depth"
        if len(url) > self.max_url_length:
            return "URL too long"
        try:
            parts = urlsplit(url)
        except ValueError:
            return "not a URL"
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return "not an http(s) URL"
        if not self.host_allowed(parts.hostname):
            return "host not in domains"
        if self._include and not any(p.search(url) for p in self._include):
            return "matches no include pattern"
        if any(p.search(url) for p in self._exclude):
            return "matches an exclude pattern"
        return trap_reason(
            url,
            max_path_segments=self.max_path_segments,
            max_segment_repeats=self.max_segment_repeats,
            max_query_length=self.max_query_length,
            max_query_params=self.max_query_params,
        )

    def allows(self, url: str, depth: int) -> bool:
        """True if the crawl may queue ``url`` (normalised) found at ``depth``."""
        return self.reason(url, depth) is None


class PageBudgets:
    """Counts URLs per (host, budget, listing) and refuses those past their budget.

    The one stateful helper here: one instance per crawl run, fed every URL
    the crawl is about to queue, after ``Scope.allows``.  A budget counts
    distinct URLs: every page of a site links its calendar or its date
    archive again, and those repeats must not spend the budget.  So it
    remembers the URLs it admitted under a budget; their number is bounded
    by the budgets themselves (at most ``max_pages`` per host and budget;
    per-listing budgets are bounded by a per-host one matching the same URLs).
    Counts start at zero each run (a resumed run may queue up to one more
    budget's worth per pattern).
    """

    def __init__(self, budgets: Sequence[PatternBudget] = DEFAULT_BUDGETS) -> None:
        self._budgets = tuple(budgets)
        #: Admitted URLs by (host, budget name, listing; "" for per-host budgets).
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._admitted: set[str] = set()
        #: URLs refused so far, by budget name (for the crawl summary).
        self.refused: Counter[str] = Counter()

    def admit(self, url: str) -> bool:
        """Count ``url`` and return True, or return False if a budget it matches is spent.

        >>> budgets = PageBudgets([PatternBudget("calendar", r"[?&]month=", 2)])
        >>> [budgets.admit(f"https://a.example/cal?month={m}") for m in range(1, 5)]
        [True, True, False, False]
        >>> budgets.admit("https://a.example/story"), dict(budgets.refused)
        (True, {'calendar': 2})
        >>> budgets.admit("https://a.example/cal?month=1")  # found again: no new page
        True
        """
        if url in self._admitted:
            return True
        matched = [
            (budget, listing)
            for budget in self._budgets
            if (listing := budget.listing(url)) is not None
        ]
        if not matched:
            return True
        host = host_of(url)
        for budget, listing in matched:
            if self._counts[(host, budget.name, listing)] >= budget.max_pages:
                self.refused[budget.name] += 1
                logger.debug("budget %s spent on %s: not queueing %s", budget.name, host, url)
                return False
        for budget, listing in matched:
            self._counts[(host, budget.name, listing)] += 1
        self._admitted.add(url)
        return True
