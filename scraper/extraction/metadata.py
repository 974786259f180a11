"""Page metadata (title, author, dates, language, site...) from one parsed tree.

Why: trafilatura's metadata pass re-parses the page, searches the body text for
anything that looks like a date and takes the first "author"-ish string it
meets, so it invents a date on nearly every date-less page.  Here every value
comes from something the page *states*: JSON-LD, OpenGraph and other ``<meta>``
tags, microdata, ``<time>`` and dated elements, bylines and author links,
``<h1>`` and ``<title>``.  When no such statement exists the value is ``None``.

The tree is walked once, by one CSS selector list (``_SCAN``) evaluated in C;
the rest works on the few dozen nodes it returns, so a page costs about a
millisecond.  Data tables live in ``selectors.py``; dates in ``dates.py``.
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.dates import DateStatements, choose_dates

__all__ = ["Metadata", "extract_metadata"]

logger = logging.getLogger(__name__)

#: A JSON-LD node: a decoded JSON object.
JsonObject = dict[str, object]


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a page says about itself.  A missing value is ``None`` (or ``()``)."""

    #: The headline, without a site-name prefix or suffix.
    title: str | None = None
    #: Author names joined with ``"; "``.
    author: str | None = None
    #: Publication date, ``YYYY-MM-DD`` (the article's modification date when
    #: its JSON-LD states no other).
    date: str | None = None
    #: Publication timestamp as precise as the page states it (ISO 8601).
    date_published: str | None = None
    #: Last modification date, ``YYYY-MM-DD``.
    date_modified: str | None = None
    #: Declared language, ISO 639 primary subtag, lower-case (``"it"``).
    language: str | None = None
    #: Name of the site or publication.
    sitename: str | None = None
    #: The page's description or summary.
    description: str | None = None
    #: Canonical URL (``<link rel=canonical>``, else ``og:url``), absolute.
    canonical_url: str | None = None
    #: Lead image URL, absolute.
    image: str | None = None
    #: Tags or keywords, in page order, without duplicates.
    tags: tuple[str, ...] = ()
    #: Sections or categories, in page order, without duplicates.
    categories: tuple[str, ...] = ()


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> Metadata:
    """Read the page's own statements about itself into a :class:`Metadata`.

    ``url`` (the page's address, if known) resolves relative links and tells
    which title prefix or suffix is the site's name.  Never raises on a parsed
    tree: a broken JSON-LD block is skipped and counted in a debug log.
    """
    found = _scan(tree)
    ld = _pick_json_ld(found)
    meta = found.meta
    sitename = _meta_first(found, sel.SITENAME_META[:1]) or next(iter(ld.sitenames), None)
    names = [n for n in (sitename, *ld.sitenames, _meta_first(found, sel.SITENAME_META[1:])) if n]
    host = _site_keys([], url)
    language = _language(found, ld)
    dates = choose_dates(
        DateStatements(
            article_ld=ld.article,
            page_ld=ld.page,
            meta=meta,
            item_published=found.item_published,
            item_modified=found.item_modified,
            dated=found.dated,
            h1_nodes=found.h1_nodes,
            byline_nodes=(found.author_nodes + found.link_nodes[:2] + found.bylines)[:5],
        ),
        _region,
        day_first=language not in (None, "en"),
    )
    return Metadata(
        title=_title(found, ld, _site_keys(names, url)),
        author=_author(found, ld, {_norm(n) for n in names} - ld.persons, host),
        date=dates.day.day if dates.day else None,
        date_published=dates.published.iso if dates.published else None,
        date_modified=dates.modified.day if dates.modified else None,
        language=language,
        sitename=sitename,
        description=_meta_first(found, sel.DESCRIPTION_META)
        or _clean(_ld_first(ld.article + ld.page, "description")),
        canonical_url=_absolute(found.canonical, url)
        or _absolute(_meta_first(found, ("og:url",)), url),
        image=_absolute(_meta_first(found, sel.IMAGE_META), url)
        or _absolute(_ld_image(_ld_first(ld.article + ld.page, "image")), url),
        tags=_listed(
            [v for k in sel.TAG_META for v in meta.get(k, ())]
            + [_ld_first(ld.article, "keywords")],
            split=True,
        ),
        categories=_listed(
            [v for k in sel.SECTION_META for v in meta.get(k, ())]
            + [_ld_first(ld.article, "articleSection")],
            split=False,
        ),
    )


# --------------------------------------------------------------------------
# text helpers
# --------------------------------------------------------------------------

_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")


def _clean(value: object) -> str | None:
    """Entities decoded, whitespace collapsed; None if empty.

    The parser has decoded one level of entities already; CMSs often encode
    twice (``&amp;#8217;``), so what is left is decoded once more.

    >>> _clean("  Caf&eacute;\\n au  lait ")
    'Café au lait'
    """
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    value = _WS.sub(" ", value).strip()
    return value or None


def _norm(value: str) -> str:
    """Casefold and keep letters and digits only: ``"Le Monde"`` and ``lemonde`` meet.

    >>> _norm("Le Monde!")
    'lemonde'
    """
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", value).casefold())


# --------------------------------------------------------------------------
# scanning the tree once
# --------------------------------------------------------------------------

#: Everything the extractor looks at, in one pass over the tree.  Each
#: case-insensitive substring selector costs a tree walk in lexbor, so the
#: list is kept short (links are matched case-sensitively: URLs are lower-case).
_SCAN = (
    "meta, link[rel], script[type], title, h1, time, [itemprop], a[rel~=author i],"
    " [class*=author i], [class*=byline i], [class*=date i], [class*=publish i],"
    " [class*=posted i], a[href*=author], a[href*=contributor], a[href*=writer],"
    ' a[href*=columnist], a[href*=reporter], a[href*=producer], a[href*=member], a[href*="/u/"]'
)


@dataclass(slots=True)
class _Found:
    """Raw statements gathered in the scan, in document order, before any choice."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    lang: str | None = None
    canonical: str | None = None
    title_tag: str | None = None
    h1: list[str] = field(default_factory=list)
    h1_nodes: list[LexborNode] = field(default_factory=list)
    ld_main: list[tuple[frozenset[str], JsonObject]] = field(default_factory=list)
    ld_ids: dict[str, JsonObject] = field(default_factory=dict)
    ld_broken: int = 0
    item_authors: list[str] = field(default_factory=list)
    item_published: list[str] = field(default_factory=list)
    item_modified: list[str] = field(default_factory=list)
    rel_authors: list[str] = field(default_factory=list)
    author_nodes: list[LexborNode] = field(default_factory=list)
    link_nodes: list[LexborNode] = field(default_factory=list)
    bylines: list[LexborNode] = field(default_factory=list)
    dated: list[LexborNode] = field(default_factory=list)


def _scan(tree: LexborHTMLParser) -> _Found:
    found = _Found()
    root = tree.root
    if root is not None:
        found.lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
    seen: set[int] = set()
    for node in tree.css(_SCAN):
        # a node matching several selectors of the list comes back once per match
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        tag = node.tag
        attrs = node.attributes
        if tag == "meta":
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            key = key or attrs.get("http-equiv")
            content = attrs.get("content")
            if key and content:
                found.meta.setdefault(key.strip().casefold(), []).append(content)
        elif tag == "link":
            if "canonical" in (attrs.get("rel") or "").casefold().split():
                found.canonical = found.canonical or attrs.get("href")
        elif tag == "script":
            if "ld+json" in (attrs.get("type") or "").casefold():
                _read_json_ld(node.text(), found)
        elif tag == "title":
            # not the <title> of an inline <svg>
            parent = node.parent
            if found.title_tag is None and parent is not None and parent.tag in ("head", "html"):
                found.title_tag = node.text()
        else:
            _scan_element(node, tag or "", attrs, found)
    return found


def _scan_element(node: LexborNode, tag: str, attrs: dict[str, str | None], found: _Found) -> None:
    if tag == "h1" and len(found.h1) < 3:
        found.h1.append(node.text(separator=" "))
        found.h1_nodes.append(node)
    itemprop = (attrs.get("itemprop") or "").casefold()
    if itemprop:
        _read_itemprop(node, itemprop.split(), found)
    if tag == "a":
        if "author" in (attrs.get("rel") or "").casefold().split():
            found.rel_authors.append(node.text(separator=" "))
            found.author_nodes.append(node)
        elif sel.AUTHOR_LINK.search(attrs.get("href") or ""):
            found.link_nodes.append(node)
    classes = (attrs.get("class") or "").casefold()
    byline = "author" in classes or "byline" in classes
    if byline:
        found.bylines.append(node)
    if (
        byline
        or tag == "time"
        or any(word in classes for word in ("date", "publish", "posted"))
        or "date" in itemprop
        or "publish" in itemprop
    ):
        found.dated.append(node)


#: Microdata of someone else's words: a review, a comment, an answer.
_NOT_PAGE_ITEM = re.compile(r"review|comment|answer|rating|offer", re.IGNORECASE)


def _read_itemprop(node: LexborNode, props: list[str], found: _Found) -> None:
    """Microdata: ``itemprop=author`` (or its ``name``), ``datePublished``, ``dateModified``."""
    attrs = node.attributes
    if ("author" in props or "creator" in props) and not any(
        _NOT_PAGE_ITEM.search(anc.attributes.get("itemtype") or "") for anc in _ancestors(node, 10)
    ):
        name_node = node.css_first("[itemprop~=name]") or node
        found.item_authors.append(
            name_node.attributes.get("content") or name_node.text(separator=" ")
        )
    for prop, target in (
        ("datepublished", found.item_published),
        ("datecreated", found.item_published),
        ("datemodified", found.item_modified),
    ):
        if prop in props:
            target.append(attrs.get("content") or attrs.get("datetime") or node.text())


def _ancestors(node: LexborNode, limit: int = 15) -> Iterator[LexborNode]:
    parent = node.parent
    while parent is not None and limit > 0:
        yield parent
        parent = parent.parent
        limit -= 1


_CLASS_WORDS = re.compile(r"[a-z0-9]+")
_META_BLOCK = re.compile(r"meta|byline|author|date|info")


def _foreign_marks(attrs: dict[str, str | None]) -> bool:
    """Do an element's class and id say it holds comments, related links, menus...?"""
    marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".casefold()
    if not marks.strip():
        return False
    tokens = marks.split()
    if "footer" in tokens or "site-footer" in tokens:
        return True
    return any(word in sel.FOREIGN_WORDS for word in _CLASS_WORDS.findall(marks))


def _region(node: LexborNode) -> tuple[bool, str]:
    """(is ``node`` in a block foreign to the article, the class words around it).

    Foreign blocks are comments, related links, menus, sidebars and the page
    footer, by tag (``nav``) or by class and id words.  A ``<footer>`` inside
    an ``<article>`` is the article's own byline area, and so is an
    ``<aside>`` whose class says it holds the post's meta data.  The classes
    of ``<body>`` describe the whole page and are not looked at.
    """
    pending = False
    marks = ""
    current: LexborNode | None = node
    for _ in range(16):
        if current is None or current.tag in ("body", "html"):
            break
        tag = current.tag
        attrs = current.attributes
        classes = (attrs.get("class") or "").casefold()
        if tag in ("article", "main"):
            pending = False
        elif tag == "nav":
            return True, marks
        elif tag == "footer" or (tag == "aside" and not _META_BLOCK.search(classes)):
            pending = True
        if _foreign_marks(attrs):
            return True, marks
        if len(marks) < 200:
            marks += f" {classes}"
        current = current.parent
    return pending, marks


def _in_foreign_block(node: LexborNode) -> bool:
    return _region(node)[0]


# --------------------------------------------------------------------------
# JSON-LD
# --------------------------------------------------------------------------

_TRAILING_COMMA = re.compile(r",\s*([\]}])")
#: JSON-LD nodes reached through these keys describe the page itself.
_MAIN_VIA = frozenset({"", "@graph", "mainentity", "mainentityofpage"})


def _read_json_ld(text: str, found: _Found) -> None:
    """Parse one ld+json block into ``found``; a broken block is counted and skipped."""
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:].removesuffix("-->")
    if not text:
        return
    data: object
    try:
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        try:
            # the commonest hand-written mistake: a comma before } or ]
            data = json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
        except (ValueError, RecursionError):
            found.ld_broken += 1
            logger.debug(
                "skipped a JSON-LD block that is not JSON (%d on this page)", found.ld_broken
            )
            return
    _walk_ld(data, "", 0, found)


def _ld_types(obj: JsonObject) -> frozenset[str]:
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return frozenset(v.rsplit("/", 1)[-1].casefold() for v in values if isinstance(v, str) and v)


def _walk_ld(obj: object, via: str, depth: int, found: _Found) -> None:
    """Index every node by ``@id``; keep the typed nodes that describe the page."""
    if depth > 12:
        return
    if isinstance(obj, list):
        for item in obj:
            _walk_ld(item, via, depth + 1, found)
        return
    if not isinstance(obj, dict):
        return
    ident = obj.get("@id")
    if isinstance(ident, str) and len(obj) > len(found.ld_ids.get(ident, ())):
        # the fullest node with this @id: references and stubs repeat it
        found.ld_ids[ident] = obj
    types = _ld_types(obj)
    if types and via in _MAIN_VIA:
        found.ld_main.append((types, obj))
    for key, value in obj.items():
        if isinstance(value, dict | list):
            _walk_ld(value, key.casefold(), depth + 1, found)


def _ld_resolve(value: object, found: _Found) -> object:
    """Follow an ``{"@id": ...}`` reference (or an untyped stub) to the node it names."""
    if isinstance(value, dict) and "@type" not in value:
        ident = value.get("@id")
        if isinstance(ident, str):
            return found.ld_ids.get(ident, value)
    return value


def _ld_name(value: object, found: _Found) -> str | None:
    """The name of a JSON-LD node, or the string itself."""
    value = _ld_resolve(value, found)
    if isinstance(value, list):
        value = _ld_resolve(value[0], found) if value else None
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = name[0] if name else None
        if isinstance(name, dict):
            name = name.get("@value")
        if not name and isinstance(value.get("familyName"), str):
            name = f"{value.get('givenName') or ''} {value['familyName']}"
        value = name
    return _clean(value)


def _ld_first(objs: list[JsonObject], *keys: str) -> object:
    for obj in objs:
        for key in keys:
            value = obj.get(key)
            if value:
                return value
    return None


@dataclass(slots=True)
class _Ld:
    """The JSON-LD nodes that describe this page."""

    #: The article node (at most one: several different ones make a listing).
    article: list[JsonObject]
    #: The WebPage node.
    page: list[JsonObject]
    #: Publisher and organisation names.
    sitenames: list[str]
    #: Normalised names typed as a Person: a personal site's name.
    persons: set[str]


def _pick_json_ld(found: _Found) -> _Ld:
    articles: list[JsonObject] = []
    pages: list[JsonObject] = []
    sitenames: list[str] = []
    for types, obj in found.ld_main:
        if types & sel.ARTICLE_TYPES:
            articles.append(obj)
        elif types & sel.PAGE_TYPES:
            pages.append(obj)
        elif types & sel.ORG_TYPES and (name := _ld_name(obj, found)):
            sitenames.append(name)
    persons: set[str] = set()
    for obj in articles[:1] + pages[:1]:
        publisher = _ld_resolve(obj.get("publisher"), found)
        name = _ld_name(publisher, found)
        if name:
            sitenames.insert(0, name)
            if isinstance(publisher, dict) and _ld_types(publisher) & sel.PERSON_TYPES:
                persons.add(_norm(name))
    if len({_clean(a.get("headline")) for a in articles} - {None}) > 1:
        articles = []  # several different articles at the top level: a listing
    return _Ld(articles[:1], pages[:1], sitenames, persons)


def _meta_first(found: _Found, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in found.meta.get(key, ()):
            cleaned = _clean(value)
            if cleaned:
                return cleaned
    return None


# --------------------------------------------------------------------------
# titles
# --------------------------------------------------------------------------

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+|\s*[|·•»]\s*|:\s+")
_TITLE_TAIL = re.compile(r"\s*[¶#§]\s*$")  # Sphinx and MkDocs permalinks
_REPEATED = re.compile(r"^(.{2,}?)(?:\s+\1)+$")  # "News News": a mobile and a desktop copy
_TRUNCATED = ("...", "…")


def _site_keys(sitenames: list[str], url: str | None) -> set[str]:
    """Normalised forms under which the site's name may appear.

    The names as stated, and the host's labels without ``www.`` and the public
    suffix: ``blog.rust-lang.org`` gives ``blogrustlang``, ``rustlang`` and
    ``blog``; a long top-level domain is a word of the name (``getlocal.agency``).
    """
    keys = {_norm(name) for name in sitenames}
    try:
        host = urlsplit(url).hostname if url else None
    except ValueError:  # "http://[::1" and other malformed addresses
        host = None
    if host:
        labels = [label for label in host.casefold().split(".") if label]
        if len(labels) > 1:
            tld = labels.pop()
            if len(tld) >= 4:
                keys.add(tld)
            if len(labels) > 1 and labels[-1] in sel.SECOND_LEVEL_DOMAINS:
                labels.pop()
        labels = [label for label in labels if label not in sel.HOST_PREFIXES]
        keys.update(_norm(label) for label in labels)
        keys.add(_norm("".join(labels)))
    keys.discard("")
    return keys


def _is_site(part: str, keys: set[str]) -> bool:
    """Is this piece of a title the site's name (``"Le Monde"`` for ``lemonde.fr``)?

    It is when, normalised, it equals a key; when its initials do (``"U.S.
    Small Business Administration"`` on ``sba.gov``); or when each of its
    words is part of a key, apart from generic words and numbers (``"Rust
    Blog"`` on ``blog.rust-lang.org``, ``"Aura Official Site"`` on ``aura.com``).
    """
    norm = _norm(part)
    if not norm or norm in keys:
        return True
    words = [w for w in (_norm(w) for w in part.split()) if w]
    if not words or len(words) > 6:
        return False
    if len(words) >= 3 and "".join(w[0] for w in words if w not in ("of", "the", "and")) in keys:
        return True
    named = [w for w in words if w not in sel.SITE_WORDS and len(w) > 2 and not w.isdigit()]
    return bool(named) and all(any(w in k or (len(k) >= 3 and k in w) for k in keys) for w in named)


def _strip_site(title: str, keys: set[str]) -> str:
    """Drop a ``" | Site"`` suffix or a ``"Site | "`` prefix when that part is the site's name.

    A ``"Site: "`` prefix stays: ``"Airtable: Build AI workflows"`` and
    ``"Amazon.com: Headphones"`` read as one title, and on the WCXB pages the
    reference titles keep it every time (stripping it cost 0.8 points).

    >>> keys = _site_keys(["Example News"], "https://www.example.com/a")
    >>> _strip_site("Rain expected – Example News", keys)
    'Rain expected'
    >>> _strip_site("Putin visiterà la Corea del Nord – dichiarazione del Cremlino", keys)
    'Putin visiterà la Corea del Nord – dichiarazione del Cremlino'
    """
    for _ in range(2):
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2:
            break
        seps = _TITLE_SEPARATORS.findall(title)
        if _is_site(parts[-1], keys):
            title = title[: title.rfind(seps[-1])].strip()
        elif seps[0].strip() != ":" and _is_site(parts[0], keys):
            title = title[title.find(seps[0]) + len(seps[0]) :].strip()
        else:
            break
    return title


def _words(value: str) -> set[str]:
    return set(_NON_WORD.split(unicodedata.normalize("NFKC", value).casefold())) - {""}


def _title(found: _Found, ld: _Ld, keys: set[str]) -> str | None:
    """The headline: the visible <h1> when the page's own metadata agrees with it.

    Metadata titles (JSON-LD headline, og:title, <title>) are often SEO
    variants of the visible headline; the <h1> is what readers see, but on
    many templates the first <h1> is the logo or a menu.  So the <h1> that
    agrees best with a metadata title is taken (the metadata title instead
    when the <h1> only adds words to it, such as a date or a counter, or when
    three sources state the metadata title alike); with no agreement, the
    first <h1> of an article, else the first metadata title.  On the WCXB
    pages this order scores 0.80 exact, og:title first 0.69, <h1> first 0.73.
    """
    stated = (
        _clean(_ld_first(ld.article, "headline", "name")),
        _meta_first(found, ("og:title",)),
        _clean(found.title_tag),
        _meta_first(found, sel.TITLE_META[1:]),
        _clean(_ld_first(ld.page, "headline", "name")),
    )
    metas = [_strip_site(t, keys) for t in stated if t]
    metas = [_untruncated(t, metas) for t in metas if t and not _is_site(t, keys)]
    h1s = []
    for raw in found.h1:
        h1 = _clean(_TITLE_TAIL.sub("", raw))
        h1 = _strip_site(_REPEATED.sub(r"\1", h1), keys) if h1 else None
        if h1 and not _is_site(h1, keys):
            h1s.append(h1)
    best: tuple[float, str, str, bool] | None = None
    for h1 in h1s:
        for meta in metas:
            h1_words, meta_words = _words(h1), _words(meta)
            if h1_words and meta_words:
                contained = h1_words <= meta_words or meta_words <= h1_words
                score = len(h1_words & meta_words) / len(h1_words | meta_words) + contained
                if best is None or score > best[0]:
                    best = (score, h1, meta, contained)
    if best is not None and best[0] >= 0.5:
        _, h1, meta, contained = best
        if not contained:
            return meta if metas.count(meta) >= 3 else h1
        # the <h1> only adds a date, a counter or a label to the stated title
        meta_words = _words(meta)
        adds = meta_words < _words(h1) and len(meta_words) >= 3
        return meta if adds and not meta.endswith(_TRUNCATED) else h1
    if metas:
        article = ld.article or (_meta_first(found, ("og:type",)) or "").casefold() == "article"
        return h1s[0] if h1s and article else metas[0]
    return h1s[0] if h1s else None


def _untruncated(title: str, titles: list[str]) -> str:
    """A headline cut at a length limit ("... Solutions (Including") yields to its full form."""
    if len(title) < 60:
        return title
    for full in titles:
        if (
            len(full) > len(title)
            and full.startswith(title)
            and not _TITLE_SEPARATORS.match(full, len(title))
        ):
            return full
    return title


# --------------------------------------------------------------------------
# authors
# --------------------------------------------------------------------------

_AUTHOR_SPLIT = re.compile(r"\s*(?:;|\||\s&\s|\s(?:and|und|et|e|y|en|och|og)\s)\s*", re.I)
_AUTHOR_JUNK = re.compile(
    r"\s*(?:\s[-–—|•·]\s.*|[»~].*|\son\s+\w+\s+\d.*"
    r"|\s(?:updated|published|posted|last updated)\b.*)$",
    re.IGNORECASE,
)
_URLISH = re.compile(r"^(?:https?:|www\.)|://|\.(?:com|org|net|html?|php)\b", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")


def _author(found: _Found, ld: _Ld, site: set[str], host: set[str]) -> str | None:
    """Author names, from the first source that names anyone.

    JSON-LD of the article, author <meta> tags, Yoast's "Written by" Twitter
    label, microdata, ``rel=author`` links, links to author pages, byline
    elements.  ``site`` holds the publisher's normalised names: an author
    equal to it is the organisation and is dropped (a JSON-LD Person is kept,
    a personal blog bears its author's name); so is the site's brand.
    """
    yoast = [
        value
        for i in "12"
        if (_meta_first(found, (f"twitter:label{i}",)) or "").casefold() in ("written by", "author")
        for value in found.meta.get(f"twitter:data{i}", [])
    ]
    sources: tuple[Callable[[], list[str]], ...] = (
        lambda: _ld_authors(ld.article, found, site),
        lambda: _authors(
            [v for key in sel.AUTHOR_META for v in found.meta.get(key, ())[:10]], site
        ),
        lambda: _authors(yoast, site),
        lambda: _first_element(found.item_authors, site, thread=True),
        lambda: _first_element(found.rel_authors, site, thread=False),
        lambda: _first_element(
            [a.text(separator=" ") for a in found.link_nodes[:12] if not _in_foreign_block(a)],
            site,
            thread=False,
        ),
        lambda: _byline_authors(found, site),
    )
    for source in sources:
        names = [n for n in source() if not _brand_of_site(n, host)]
        if names:
            return "; ".join(names)
    return None


def _split_names(raw: str) -> list[str]:
    """One byline or author field into names: prefixes, titles and dates cut off.

    >>> _split_names("By Jane Doe and John Roe - Staff Writers")
    ['Jane Doe', 'John Roe']
    >>> _split_names("Doris Munoz-Mantilla, MD, FOMA")
    ['Doris Munoz-Mantilla, MD, FOMA']
    >>> _split_names("Di Mario Rossi, Luca Bianchi")
    ['Mario Rossi', 'Luca Bianchi']
    """
    raw = sel.NAME_HEAD.sub("", _WS.sub(" ", raw).strip())
    for _ in range(2):
        raw = sel.BYLINE_PREFIX.sub("", raw)
    names: list[str] = []
    for name in _AUTHOR_SPLIT.split(_AUTHOR_JUNK.sub("", raw)):
        name = name.strip(" ,.:")
        if sel.NOT_AUTHOR.match(name):
            continue  # "Updated by ...", "Reviewed by ...": someone else's credit
        pieces = [p.strip() for p in name.split(",")]
        # "Jane Doe, John Roe" are two people; "Jane Doe, MD" is one
        for piece in pieces if all(len(p.split()) >= 2 for p in pieces) else [name]:
            piece = sel.BYLINE_PREFIX.sub("", piece)
            cut = sel.NAME_TAIL.sub("", piece)
            if len(cut.split()) < 2 <= len(piece.split()) and not sel.NAME_TAIL_DATE.match(
                piece, len(cut)
            ):
                cut = piece  # "A. Writer" is a name, not "A." and a job title
            cut = cut.strip(" ,.:|-–—·•")
            if cut:
                names.append(cut)
    return names


def _valid_name(name: str) -> bool:
    """Could this be a person's or an organisation's name (not a URL, a date, a sentence)?"""
    if len(name) > 80 or len(name.split()) > 6 or not any(c.isalpha() for c in name):
        return False
    if _URLISH.search(name) or _EMAIL.search(name) or name.startswith("@"):
        return False
    if " " in name and sum(c.isdigit() for c in name) > 3:
        return False  # "2024 12:41 pm" (handles like "user3080392" are fine)
    return name.casefold() not in sel.GENERIC_AUTHORS


def _authors(values: list[str], site: set[str]) -> list[str]:
    """Valid, distinct names from ``values``; names in ``site`` are the publisher's."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        names = _split_names(_clean(value) or "")
        if any(len(name) > 80 or len(name.split()) > 6 for name in names):
            continue  # a sentence, not a list of names
        for name in names:
            key = _norm(name)
            if key and key not in seen and key not in site and _valid_name(name):
                seen.add(key)
                out.append(name)
    return out


def _looks_like_name(name: str) -> bool:
    """Does visible byline text read as a name ("Jane van Doe", "jdoe42"), not a phrase?"""
    words = name.split()
    if len(words) == 1:
        return len(name) >= 2
    return len(words) <= 5 and all(
        w[0].isupper() or not w[0].isalpha() or w.casefold() in sel.NAME_PARTICLES for w in words
    )


def _visible_authors(values: list[str], site: set[str]) -> list[str]:
    """Like :func:`_authors`, for text shown on the page, which must read as names."""
    names = _authors(values, site)
    return names if all(_looks_like_name(name) for name in names) else []


def _ld_authors(objs: list[JsonObject], found: _Found, site: set[str]) -> list[str]:
    """The article's JSON-LD authors; an Organization named like the site is dropped."""
    names: list[str] = []
    for obj in objs:
        raw = _ld_resolve(obj.get("author") or obj.get("creator"), found)
        for item in raw if isinstance(raw, list) else [raw]:
            item = _ld_resolve(item, found)
            name = _ld_name(item, found)
            if name:
                person = isinstance(item, dict) and bool(_ld_types(item) & sel.PERSON_TYPES)
                names.extend(_authors([name], set() if person else site))
    return _authors(names, set())  # once more, to drop duplicates across nodes


def _first_element(values: list[str], site: set[str], *, thread: bool) -> list[str]:
    """Names from the first element that gives any.

    Elements naming four different people are the posts of a thread (with
    ``thread``: microdata, the first is the original post) or the cards of a
    listing (links to author pages: then nobody is the page's author).
    """
    named = [names for names in (_visible_authors([v], site) for v in values[:12]) if names]
    if not named or (not thread and len({_norm(n[0]) for n in named}) >= 4):
        return []
    return named[0]


def _byline_class(node: LexborNode) -> bool:
    """Does a class token of ``node`` name an author, not an author's photo or bio?"""
    return any(
        ("author" in token or "byline" in token) and not sel.NOT_BYLINE_CLASS.search(token)
        for token in (node.attributes.get("class") or "").casefold().split()
    )


def _byline_authors(found: _Found, site: set[str]) -> list[str]:
    """Names in the first byline element (class ``author-name``, ``byline``...).

    Containers give way to the byline elements inside them, so that "Jane
    Doe" is read rather than "Jane Doe, Senior Editor, 5 min read"; an author
    box with a bio is read through its ``name`` element.  Bylines of four
    different people are the cards of a listing: no author then.
    """
    candidates = [n for n in found.bylines if _byline_class(n)]
    containers = {anc.mem_id for n in candidates for anc in _ancestors(n, 4)}
    named: list[list[str]] = []
    for node in candidates:
        if node.mem_id in containers or _in_foreign_block(node):
            continue
        text = node.text(separator=" ")
        if len(text) > 120:
            name_node = node.css_first("[class*=name i]")
            text = name_node.text(separator=" ") if name_node is not None else ""
        names = _visible_authors([text], site) if len(text) <= 120 else []
        if names:
            named.append(names)
            if len(named) >= 6:
                break
    if not named or len({_norm(n[0]) for n in named}) >= 4:
        return []
    return named[0]


def _brand_of_site(name: str, host: set[str]) -> bool:
    """Is ``name`` the site's own brand ("Ridge" on ridge.com), not a person?

    A single word equal to a label of the host, or a name with an organisation
    word that matches the host ("Loyola Marymount University" on lmu.edu).
    "Jane Doe" on janedoe.com and "Lillie" on lillieeatsandtells.com are
    people: kept.
    """
    words = name.split()
    if len(words) == 1:
        return _norm(name) in host
    return bool(sel.ORG_WORDS & {_norm(w) for w in words}) and _is_site(name, host)


# --------------------------------------------------------------------------
# the other fields
# --------------------------------------------------------------------------


def _language(found: _Found, ld: _Ld) -> str | None:
    """The declared language's primary subtag: ``it-IT`` → ``it``."""
    for raw in (
        found.lang,
        _meta_first(found, ("content-language", "dc.language", "og:locale")),
        _ld_first(ld.article + ld.page, "inLanguage"),
    ):
        if isinstance(raw, str):
            primary = re.split(r"[-_]", raw.strip(), maxsplit=1)[0].casefold()
            if primary.isascii() and primary.isalpha() and 2 <= len(primary) <= 3:
                return primary
    return None


def _absolute(href: object, url: str | None) -> str | None:
    """``href`` made absolute against ``url``; None unless it is an http(s) URL."""
    value = _clean(href)
    if not value:
        return None
    try:
        value = urljoin(url, value) if url else value
    except ValueError:  # a malformed address ("http://[::1")
        return None
    return value if value.startswith(("http://", "https://")) else None


def _ld_image(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def _listed(values: list[object], split: bool) -> tuple[str, ...]:
    """Distinct, cleaned strings from strings and lists (comma-separated with ``split``)."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, str):
                continue
            for piece in item.split(",") if split else [item]:
                cleaned = _clean(piece)
                if cleaned and len(cleaned) <= 80 and cleaned.casefold() not in seen:
                    seen.add(cleaned.casefold())
                    out.append(cleaned)
    return tuple(out[:50])
