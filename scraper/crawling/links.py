"""Links of an HTML page, and the robots directives that say what may be done with them.

Pure functions over a parsed ``LexborHTMLParser`` tree (the extraction
worker already has one).  Every URL comes out normalised
(``urls.normalize_url``), resolved against the document base (``<base
href>``, else the page URL).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Final, Generic, TypeVar
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.config import DEFAULT_USER_AGENT
from scraper.crawling.urls import normalize_url
from scraper.fetching.robots import product_token

__all__ = [
    "FEED_TYPES",
    "MAX_ANCHORS_SCANNED",
    "MAX_LINKS_PER_PAGE",
    "PageLinks",
    "document_base",
    "extract_links",
    "feed_links",
    "robots_directives",
]

#: Distinct links kept per page; past it ``truncated`` is set.  News pages
#: have a few hundred; tens of thousands is a trap or a sitemap in disguise.
MAX_LINKS_PER_PAGE: Final = 5000
#: ``<a>`` / ``<area>`` elements looked at per page, so that a page of a
#: million distinct junk hrefs costs a bounded amount of normalisation.
MAX_ANCHORS_SCANNED: Final = 50_000
#: Feed links kept per page.
MAX_FEEDS_PER_PAGE: Final = 20
#: ``<link rel=alternate type=...>`` types that announce a feed.
FEED_TYPES: Final = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json+feed",
    }
)
#: Directives we report.  "none" means noindex + nofollow; index/follow/all are defaults.
_DIRECTIVES: Final = frozenset({"noindex", "nofollow", "noarchive", "nosnippet"})
#: Directives that carry a value after ":" (so the word before ":" is not an agent).
_VALUED: Final = frozenset(
    {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}
)
_AGENT_PREFIX: Final = re.compile(r"\s*([A-Za-z][\w.-]*)\s*:\s*(.*)", re.DOTALL)
_SEPARATORS: Final = re.compile(r"[\s,;]+")
_STRIP: Final = "".join(map(chr, range(0x21)))
#: Entries per generation of the cross-page link cache (see ``RecentCache``).
LINK_CACHE_SIZE: Final = 20_000
#: Every element ``extract_links`` reads, in one query: the base, the anchors,
#: ``<link>`` (canonical, feeds) and ``<meta>`` (robots).  lexbor answers a
#: selector list in document order, each element once, so the page is walked
#: once instead of five times (about 20 us less per news page).  The attribute
#: tests the parts leave out are made on each element below.
_PAGE_QUERY: Final = "a[href], area[href], base[href], link[href], meta[name][content]"

K = TypeVar("K")
V = TypeVar("V")


class RecentCache(Generic[K, V]):
    """A bounded memo that keeps about the ``size`` most recently used entries.

    (A crawl helper, not part of the discovery API: left out of ``__all__``.)

    Why: the pages of one site repeat most of their links (navigation,
    footer, "most read"), so a crawl normalises the same hrefs again and
    again; remembering recent answers saves most of that work, and a bound
    keeps a long crawl's memory flat.  Two generations instead of an LRU list:
    a hit in the old generation moves to the young one, and when the young
    one is full the old one is dropped, so memory is at most ``2 * size``
    entries and a lookup costs one or two dict reads.

    >>> cache = RecentCache[str, int](2)
    >>> cache.put("a", 1); cache.put("b", 2); cache.put("c", 3)
    >>> cache.get("a"), cache.get("c"), len(cache)
    (1, 3, 3)
    >>> cache.put("d", 4); cache.put("e", 5)
    >>> cache.get("b") is None, cache.get("e")
    (True, 5)
    """

    __slots__ = ("_old", "_size", "_young")

    def __init__(self, size: int = LINK_CACHE_SIZE) -> None:
        self._size = max(1, size)
        self._young: dict[K, V] = {}
        self._old: dict[K, V] = {}

    def __len__(self) -> int:
        return len(self._young) + len(self._old)

    def __contains__(self, key: K) -> bool:
        return key in self._young or key in self._old

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value of ``key``, or ``default``; a hit counts as a use."""
        young = self._young
        if key in young:
            return young[key]
        if key in self._old:
            value = self._old.pop(key)
            self.put(key, value)
            return value
        return default

    def put(self, key: K, value: V) -> None:
        """Remember ``value`` for ``key``, dropping the old generation when full."""
        if len(self._young) >= self._size and key not in self._young:
            self._old, self._young = self._young, {}
        self._young[key] = value


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What a page links to, and what its robots directives allow.

    ``links`` already leaves out ``rel=nofollow`` links; a page-level
    ``nofollow`` (meta robots or X-Robots-Tag) is reported in ``robots``
    and the crawl must then queue none of them: use ``follow_links``.
    """

    #: Normalised http(s) URLs of ``<a href>`` and ``<area href>``, in document
    #: order, deduplicated, ``rel=nofollow`` excluded.
    links: tuple[str, ...]
    #: ``<link rel=canonical>`` (normalised); None if absent, invalid or contradictory.
    canonical: str | None
    #: Feeds announced by ``<link rel=alternate type=...rss/atom/json...>``.
    feeds: tuple[str, ...]
    #: Directives from ``<meta name=robots>`` and ``<meta name=AGENT>``:
    #: a subset of noindex, nofollow, noarchive, nosnippet ("none" expanded).
    robots: frozenset[str]
    #: The URL relative links were resolved against (``<base href>`` or the page URL).
    base: str
    #: True if ``MAX_LINKS_PER_PAGE`` or ``MAX_ANCHORS_SCANNED`` cut the list.
    truncated: bool = False

    @property
    def noindex(self) -> bool:
        """The page asks not to be indexed: do not output its article."""
        return "noindex" in self.robots

    @property
    def nofollow(self) -> bool:
        """The page asks that none of its links be followed."""
        return "nofollow" in self.robots

    def follow_links(self, header_robots: Iterable[str] = ()) -> tuple[str, ...]:
        """The links a polite crawl may queue, given also the X-Robots-Tag directives."""
        if self.nofollow or "nofollow" in header_robots:
            return ()
        return self.links


def _tokens(value: str | None) -> set[str]:
    return set(value.lower().split()) if value else set()


def _directives(content: str) -> set[str]:
    found: set[str] = set()
    for token in _SEPARATORS.split(content.lower()):
        if token == "none":
            found.update(("noindex", "nofollow"))
        elif token in _DIRECTIVES:
            found.add(token)
    return found


def robots_directives(
    x_robots_tag: str | Iterable[str] | None, agent: str = DEFAULT_USER_AGENT
) -> frozenset[str]:
    """The X-Robots-Tag directives that apply to ``agent``: noindex, nofollow, ...

    Why: servers can forbid indexing or following for non-HTML answers and
    whole paths in a header; values may be prefixed by an agent name
    (``googlebot: noindex``), and then apply to that agent only, up to the
    next prefix.  Give each header line separately (an iterable) when you
    can: joined with ", " a general directive after a prefixed one is read
    as the prefixed agent's.  ``agent`` is a user agent or its product token.

    >>> sorted(robots_directives("noarchive, googlebot: noindex, tidyscrape: none"))
    ['noarchive', 'nofollow', 'noindex']
    >>> sorted(robots_directives(["otherbot: noindex, nofollow", "unavailable_after: 1 Jan 2020"]))
    []
    """
    if x_robots_tag is None:
        return frozenset()
    values = [x_robots_tag] if isinstance(x_robots_tag, str) else list(x_robots_tag)
    token = product_token(agent)
    found: set[str] = set()
    for value in values:
        target: str | None = None  # None: every agent
        for part in value.split(","):
            prefixed = _AGENT_PREFIX.fullmatch(part)
            if prefixed and prefixed.group(1).lower() not in _VALUED:
                target = prefixed.group(1).lower()
                part = prefixed.group(2)
            if target is None or target == token:
                found |= _directives(part)
    return frozenset(found)


def document_base(tree: LexborHTMLParser, page_url: str) -> str:
    """The URL relative links resolve against: the first ``<base href>``, else the page URL.

    >>> document_base(LexborHTMLParser('<base href="/en/"><a href="x">'), "https://a.example/p")
    'https://a.example/en/'
    """
    return _base_of(tree.css_first("base[href]"), page_url)


def _base_of(node: LexborNode | None, page_url: str) -> str:
    """``document_base`` given the first ``<base href>`` element (or None)."""
    href = node.attributes.get("href") if node is not None else None
    resolved = normalize_url(href, page_url) if href else None
    return resolved or page_url


_MISSING: Final = "\x00missing"


def _resolve(
    href: str, base: str, origin: str, cache: RecentCache[str, str | None] | None = None
) -> str | None:
    """``normalize_url(href, base)``, skipping ``urljoin`` for the common root-relative href.

    ``origin + href`` equals ``urljoin(base, href)`` for "/path" hrefs up to
    what ``normalize_url`` normalises anyway (dot segments, user info); hrefs
    whose meaning a browser would change (backslashes, tabs, "//") take the
    general path.  With a ``cache``, answers are remembered across pages
    under a key that holds everything the answer depends on: the absolute
    form for root-relative hrefs, the href itself for absolute http(s) ones,
    and the base plus the href for everything else.  This runs for every
    distinct href of every page, so the cache hit is the path kept short:
    one read of the young generation, no further call.
    """
    text = href.strip(_STRIP)
    simple = text[:1] == "/" and text[1:2] not in ("/", "\\") and not _tricky(text)
    if cache is None:
        return normalize_url(origin + text) if simple else normalize_url(text, base)
    if simple:
        key = origin + text
    elif text[:8].lower().startswith(("http://", "https://")):
        key = text
    else:
        key = base + "\x00" + text
    found = cache._young.get(key, _MISSING)
    if found is _MISSING:
        found = cache.get(key, _MISSING)
        if found is _MISSING:
            found = normalize_url(key) if simple else normalize_url(text, base)
            cache.put(key, found)
    return found


def _tricky(text: str) -> bool:
    r"""Whether ``text`` holds a character browsers drop (tab, newline) or read as "/" ("\").

    Four substring tests: about four times faster than a regex search for
    the same four characters, and this runs for every href of every page.

    >>> _tricky("/a/b?c"), _tricky("/a\\b"), _tricky("/a\tb"), _tricky("/a\r")
    (False, True, True, True)
    """
    return "\\" in text or "\t" in text or "\n" in text or "\r" in text


def feed_links(tree: LexborHTMLParser, base: str) -> tuple[str, ...]:
    """Feeds announced by ``<link rel=alternate type=application/rss+xml|atom+xml|feed+json>``."""
    return _feeds(tree.css("link[href][type]"), partial(normalize_url, base=base))


def _feeds(nodes: Iterable[LexborNode], resolve: Callable[[str], str | None]) -> tuple[str, ...]:
    """``feed_links`` over ``<link href>`` elements (one without ``type`` is no feed).

    ``resolve`` is ``normalize_url`` against the document base (or a cached equivalent).
    """
    found: list[str] = []
    for node in nodes:
        attributes = node.attributes
        kind = (attributes.get("type") or "").split(";")[0].strip().lower()
        if kind not in FEED_TYPES or "alternate" not in _tokens(attributes.get("rel")):
            continue
        url = resolve(attributes.get("href") or "")
        if url is not None and url not in found:
            found.append(url)
            if len(found) >= MAX_FEEDS_PER_PAGE:
                break
    return tuple(found)


def _canonical(nodes: Iterable[LexborNode], resolve: Callable[[str], str | None]) -> str | None:
    """The canonical URL among ``<link href>`` elements (one without ``rel`` is none).

    ``resolve`` is ``normalize_url`` against the document base (or a cached equivalent).
    """
    # Several canonicals that disagree mean none (search engines ignore them too).
    found = {
        resolve(node.attributes.get("href") or "")
        for node in nodes
        if "canonical" in _tokens(node.attributes.get("rel"))
    }
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def _meta_robots(nodes: Iterable[LexborNode], agent: str) -> frozenset[str]:
    """The directives of ``<meta name=robots|AGENT content>`` elements."""
    names = {"robots", product_token(agent)}
    found: set[str] = set()
    for node in nodes:
        name = (node.attributes.get("name") or "").strip().lower()
        if name in names:
            found |= _directives(node.attributes.get("content") or "")
    return frozenset(found)


def _anchor_href(node: LexborNode) -> str | None:
    attributes = node.attributes
    rel = attributes.get("rel")
    # As ``"nofollow" in _tokens(rel)``, without a set for every anchor.
    if rel and "nofollow" in rel.lower().split():
        return None
    return attributes.get("href")


def extract_links(
    tree: LexborHTMLParser,
    page_url: str,
    *,
    agent: str = DEFAULT_USER_AGENT,
    cache: RecentCache[str, str | None] | None = None,
) -> PageLinks:
    """The page's links, canonical URL, feeds and meta robots directives.

    Why one pass for all of them: the crawl needs each for every page, and
    they share the document base.  Links are resolved against ``<base
    href>``, normalised (tracking parameters, fragments and ``javascript:``
    gone), deduplicated and capped at ``MAX_LINKS_PER_PAGE``.  ``cache``
    remembers normalised hrefs across the pages of a crawl.

    >>> tree = LexborHTMLParser('<meta name="robots" content="NOINDEX">'
    ...     '<a href="/a?utm_source=x">A</a><a href="/a#top">A again</a>'
    ...     '<a href="javascript:void(0)">js</a><a rel="nofollow" href="/ads">ad</a>')
    >>> page = extract_links(tree, "https://example.com/news/")
    >>> page.links, sorted(page.robots)
    (('https://example.com/a',), ['noindex'])
    """
    anchors, heads, metas, base_node = _page_elements(tree)
    base = _base_of(base_node, page_url)
    try:
        parts = urlsplit(base)
        origin = f"{parts.scheme}://{parts.netloc}"
    except ValueError:
        origin = ""
    seen: dict[str, str | None] = {}
    links: dict[str, None] = {}
    truncated = len(anchors) > MAX_ANCHORS_SCANNED
    for node in anchors[:MAX_ANCHORS_SCANNED] if truncated else anchors:
        href = _anchor_href(node)
        if not href:
            continue
        url = seen.get(href, _MISSING)
        if url is _MISSING:
            url = seen[href] = _resolve(href, base, origin, cache) if origin else None
        if url is not None and url not in links:
            if len(links) >= MAX_LINKS_PER_PAGE:
                truncated = True
                break
            links[url] = None
    # The canonical and feed hrefs go through the cross-page cache too: a
    # site's feed link ("/feed.xml") is on every page, and a page's canonical
    # URL is usually a link already seen on another page.
    resolve: Callable[[str], str | None] = (
        partial(_resolve, base=base, origin=origin, cache=cache)
        if origin
        else partial(normalize_url, base=base)
    )
    return PageLinks(
        links=tuple(links),
        canonical=_canonical(heads, resolve),
        feeds=_feeds(heads, resolve),
        robots=_meta_robots(metas, agent),
        base=base,
        truncated=truncated,
    )


def _page_elements(
    tree: LexborHTMLParser,
) -> tuple[list[LexborNode], list[LexborNode], list[LexborNode], LexborNode | None]:
    """The elements ``extract_links`` reads, from one walk of the page (``_PAGE_QUERY``).

    ``<a href>`` and ``<area href>``, ``<link href>`` and ``<meta name
    content>`` elements, each in document order, and the first ``<base
    href>``: what ``tree.css`` gives for each selector on its own.
    """
    anchors: list[LexborNode] = []
    heads: list[LexborNode] = []
    metas: list[LexborNode] = []
    base: LexborNode | None = None
    for node in tree.css(_PAGE_QUERY):
        tag = node.tag
        if tag == "a" or tag == "area":
            anchors.append(node)
        elif tag == "link":
            heads.append(node)
        elif tag == "meta":
            metas.append(node)
        elif tag == "base" and base is None:
            base = node
    return anchors, heads, metas, base
