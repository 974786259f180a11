"""Page metadata (title, author, dates, language, site...) from one parsed tree.

Why: trafilatura's metadata pass re-parses the page, searches the body text for
anything that looks like a date and takes the first "author"-ish string it
meets, so it invents a date on nearly every date-less page.  Here every value
comes from something the page *states*: JSON-LD, OpenGraph and other ``<meta>``
tags, microdata, ``<time>`` elements of the article, bylines, ``<h1>`` and
``<title>``.  When no such statement exists the value is ``None``.

The tree is scanned once with a single CSS selector list (``_SCAN``), so the
cost stays well under a couple of milliseconds on a large page.  The data tables
(meta names, schema.org types, byline words) live in ``selectors.py``; date
parsing lives in ``dates.py``.
"""

from __future__ import annotations

import html
import json
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.dates import ParsedDate, parse_date

__all__ = ["Metadata", "extract_metadata"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Metadata:
    """What a page says about itself.  A missing value is ``None`` (or ``()``)."""

    #: The headline, without a site-name prefix or suffix.
    title: str | None = None
    #: Author names joined with ``"; "``.
    author: str | None = None
    #: Publication date, ``YYYY-MM-DD``.
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


# --------------------------------------------------------------------------
# scanning the tree once
# --------------------------------------------------------------------------

#: Everything the extractor looks at, in one pass over the tree (document order).
_SCAN = (
    "meta, link[rel], script[type], title, h1, time, article, [itemprop],"
    " a[rel~=author i], [class*=author i], [class*=byline i], [class*=date i],"
    " [class*=publish i], [class*=posted i]"
)

#: JSON-LD is reached through these keys when it describes the page itself.
_MAIN_VIA = frozenset({"", "@graph", "mainentity", "mainentityofpage"})

#: class/id words of containers whose dates and names are not the article's.
_FOREIGN_WORDS = frozenset(
    "comment comments commentlist commentary discussion reply replies respond related"
    " relatedposts sidebar recommended recommendations recirc trending popular mostread"
    " newsletter promo teaser teasers breadcrumb breadcrumbs nav navbar navigation menu"
    " share sharing social".split()
)
_CLASS_WORDS = re.compile(r"[a-z0-9]+")
_PUBLISHED_CLASS = re.compile(r"publish|posted|pubdate|entry-date|post-date|article-date|created")
_MODIFIED_CLASS = re.compile(r"updated|modified|last-edit")

_WS = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_URLISH = re.compile(r"^(?:https?:|www\.)|://|\.(?:com|org|net|html?|php)\b", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_AUTHOR_SPLIT = re.compile(
    r"\s*(?:;|\||\s&\s|\s(?:and|und|et|e|y|en|och|og)\s)\s*",
    re.IGNORECASE,
)
_AUTHOR_JUNK = re.compile(
    r"\s+(?:[-–—|•·]\s.*|on\s+\w+\s+\d.*|(?:updated|published|posted|last updated)\b.*)$",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»/]\s+|\s*[|·•»]\s*|:\s+")


def _clean(value: object) -> str | None:
    """Entities decoded (twice-encoded ones too), whitespace collapsed; None if empty."""
    if not isinstance(value, str):
        return None
    if "&" in value:
        value = html.unescape(value)
    value = _WS.sub(" ", value).strip()
    return value or None


def _norm(value: str) -> str:
    """Casefold and drop everything but letters and digits: ``"Le Monde"`` → ``"lemonde"``."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", value).casefold())


@dataclass(slots=True)
class _Found:
    """Raw statements gathered in the scan, before any choice is made."""

    meta: dict[str, list[str]] = field(default_factory=dict)
    lang: str | None = None
    canonical: str | None = None
    title_tag: str | None = None
    h1: list[str] = field(default_factory=list)
    h1_nodes: list[LexborNode] = field(default_factory=list)
    author_nodes: list[LexborNode] = field(default_factory=list)
    ld_main: list[tuple[frozenset[str], dict[str, Any]]] = field(default_factory=list)
    ld_ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    ld_broken: int = 0
    item_authors: list[str] = field(default_factory=list)
    item_published: list[str] = field(default_factory=list)
    item_modified: list[str] = field(default_factory=list)
    item_headline: list[str] = field(default_factory=list)
    rel_authors: list[str] = field(default_factory=list)
    bylines: list[LexborNode] = field(default_factory=list)
    dated: list[LexborNode] = field(default_factory=list)
    articles: int = 0


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
            if key is None:
                key = attrs.get("http-equiv")
            content = attrs.get("content")
            if key and content:
                found.meta.setdefault(key.strip().casefold(), []).append(content)
            continue
        if tag == "link":
            rel = (attrs.get("rel") or "").casefold().split()
            if "canonical" in rel and found.canonical is None:
                found.canonical = attrs.get("href")
            continue
        if tag == "script":
            if "ld+json" in (attrs.get("type") or "").casefold():
                _read_json_ld(node.text(), found)
            continue
        if tag == "title":
            parent = node.parent
            if found.title_tag is None and parent is not None and parent.tag in ("head", "html"):
                found.title_tag = node.text()
            continue
        if tag == "h1":
            if len(found.h1) < 3:
                found.h1.append(node.text(separator=" "))
                found.h1_nodes.append(node)
        elif tag == "article":
            found.articles += 1
        itemprop = attrs.get("itemprop")
        if itemprop:
            _read_itemprop(node, itemprop.casefold().split(), found)
        rel = attrs.get("rel")
        if tag == "a" and rel and "author" in rel.casefold().split():
            found.rel_authors.append(node.text(separator=" "))
            found.author_nodes.append(node)
        classes = (attrs.get("class") or "").casefold()
        byline = "author" in classes or "byline" in classes
        if byline:
            found.bylines.append(node)
        if (
            byline
            or tag == "time"
            or "date" in classes
            or "publish" in classes
            or "posted" in classes
            or (itemprop and ("date" in itemprop.casefold() or "publish" in itemprop.casefold()))
        ):
            found.dated.append(node)
    return found


def _read_itemprop(node: LexborNode, props: list[str], found: _Found) -> None:
    """Microdata: ``itemprop=author`` (or its ``name``), ``datePublished``, ``headline``."""
    attrs = node.attributes
    if "author" in props or "creator" in props:
        name_node = node.css_first("[itemprop~=name]")
        value = (name_node or node).attributes.get("content") or (name_node or node).text(
            separator=" "
        )
        found.item_authors.append(value)
    for prop, target in (
        ("datepublished", found.item_published),
        ("datecreated", found.item_published),
        ("datemodified", found.item_modified),
    ):
        if prop in props:
            target.append(attrs.get("content") or attrs.get("datetime") or node.text())
    if "headline" in props:
        found.item_headline.append(attrs.get("content") or node.text(separator=" "))


# --------------------------------------------------------------------------
# JSON-LD
# --------------------------------------------------------------------------


def _read_json_ld(text: str, found: _Found) -> None:
    """Parse one ld+json block into ``found``; a broken block is counted and skipped."""
    text = text.strip()
    if text.startswith("<!--"):
        text = text[4:].removesuffix("-->")
    if not text:
        return
    data: Any
    try:
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):
        try:
            data = json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
        except (ValueError, RecursionError):
            found.ld_broken += 1
            logger.debug("skipping a JSON-LD block that is not valid JSON (%d so far)", found.ld_broken)
            return
    _walk_ld(data, "", 0, found)


def _ld_types(obj: dict[str, Any]) -> frozenset[str]:
    raw = obj.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return frozenset(
        v.rsplit("/", 1)[-1].casefold() for v in values if isinstance(v, str) and v
    )


def _walk_ld(obj: Any, via: str, depth: int, found: _Found) -> None:
    if depth > 12:
        return
    if isinstance(obj, list):
        for item in obj:
            _walk_ld(item, via, depth + 1, found)
        return
    if not isinstance(obj, dict):
        return
    ident = obj.get("@id")
    if isinstance(ident, str) and len(obj) > 1:
        found.ld_ids.setdefault(ident, obj)
    types = _ld_types(obj)
    if types and via in _MAIN_VIA:
        found.ld_main.append((types, obj))
    for key, value in obj.items():
        if isinstance(value, dict | list):
            _walk_ld(value, key.casefold(), depth + 1, found)


def _ld_resolve(value: Any, found: _Found) -> Any:
    """Follow an ``{"@id": ...}`` reference to the node it names."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("@id"), str):
        return found.ld_ids.get(value["@id"], value)
    return value


def _ld_name(value: Any, found: _Found) -> str | None:
    value = _ld_resolve(value, found)
    if isinstance(value, list):
        value = value[0] if value else None
        value = _ld_resolve(value, found)
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = name[0] if name else None
        if isinstance(name, dict):
            name = name.get("@value")
        if not name and isinstance(value.get("familyName"), str):
            name = f"{value.get('givenName') or ''} {value['familyName']}"
        return _clean(name)
    return None


def _ld_first(objs: list[dict[str, Any]], *keys: str) -> Any:
    for obj in objs:
        for key in keys:
            value = obj.get(key)
            if value:
                return value
    return None


@dataclass(slots=True)
class _Ld:
    """The JSON-LD nodes that describe this page."""

    article: list[dict[str, Any]]
    page: list[dict[str, Any]]
    sitenames: list[str]


def _ld_pick(found: _Found) -> _Ld:
    articles: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    sitenames: list[str] = []
    for types, obj in found.ld_main:
        if types & sel.ARTICLE_TYPES:
            articles.append(obj)
        elif types & sel.PAGE_TYPES:
            pages.append(obj)
        elif types & sel.ORG_TYPES and (name := _ld_name(obj, found)):
            sitenames.append(name)
    for obj in articles[:1] + pages[:1]:
        name = _ld_name(obj.get("publisher"), found)
        if name:
            sitenames.insert(0, name)
    # several different article nodes at the top level: a listing, not an article
    if len(articles) > 1 and len({_clean(str(a.get("headline"))) for a in articles}) > 1:
        articles = []
    return _Ld(articles[:1], pages[:1], sitenames)


# --------------------------------------------------------------------------
# choosing values
# --------------------------------------------------------------------------


def _meta_first(found: _Found, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        for value in found.meta.get(key, ()):
            cleaned = _clean(value)
            if cleaned:
                return cleaned
    return None


#: Words that name a kind of site rather than a site: "Rust Blog", "Docker Docs".
_SITE_WORDS = frozenset(
    "the a of and blog blogs docs documentation doc wiki forum forums community discussion"
    " discussions help support official site website web online news magazine home page"
    " homepage store shop inc ltd llc co com org net".split()
)
_SECOND_LEVEL = frozenset("co com org net gov ac edu ne or go".split())
_HOST_PREFIXES = frozenset("www m amp en mobile".split())


def _site_keys(sitenames: list[str], url: str | None) -> set[str]:
    """Normalised forms under which the site's name may appear in a title.

    The site names as stated, and the host's labels without ``www.`` and the
    public suffix: ``blog.rust-lang.org`` gives ``blogrustlang``, ``rustlang``
    and ``blog``; a long top-level domain is a word of the name too
    (``getlocal.agency``).
    """
    keys = {_norm(name) for name in sitenames}
    host = urlsplit(url).hostname if url else None
    if host:
        labels = [label for label in host.casefold().split(".") if label]
        if len(labels) > 1:
            tld = labels.pop()
            if len(tld) >= 4:
                keys.add(tld)
            if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
                labels.pop()
        labels = [label for label in labels if label not in _HOST_PREFIXES]
        keys.update(_norm(label) for label in labels)
        keys.add(_norm("".join(labels)))
    keys.discard("")
    return keys


def _is_site(part: str, keys: set[str]) -> bool:
    """Is this piece of a title the site's name (``"Le Monde"`` for ``lemonde.fr``)?

    It is when, normalised, it equals a key; when its initials do (``"U.S.
    Small Business Administration"`` on ``sba.gov``); or when each of its
    words is part of a key, apart from generic words (``"Rust Blog"`` on
    ``blog.rust-lang.org``, ``"Aura Official Site"`` on ``aura.com``).
    """
    norm = _norm(part)
    if not norm:
        return True
    if norm in keys:
        return True
    words = [w for w in (_norm(w) for w in part.split()) if w]
    if not words or len(words) > 6:
        return False
    if len(words) >= 3 and "".join(w[0] for w in words if w not in ("of", "the", "and")) in keys:
        return True
    # numbers are not names: "AliExpress 7", "Vivint (855) 742-4174"
    named = [w for w in words if w not in _SITE_WORDS and len(w) > 2 and not w.isdigit()]
    if not named:
        return False
    return all(any(w in k or (len(k) >= 3 and k in w) for k in keys) for w in named)


def _strip_site(title: str, keys: set[str]) -> str:
    """Drop a ``" | Site"`` suffix or ``"Site | "`` prefix when that part is the site's name.

    A ``"Site: "`` prefix stays: ``"Airtable: Build AI workflows"``,
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
            return title
        seps = _TITLE_SEPARATORS.findall(title)
        if _is_site(parts[-1], keys):
            cut = title.rfind(seps[-1])
            title = title[:cut].strip()
        elif seps[0].strip() != ":" and _is_site(parts[0], keys):
            title = title[title.find(seps[0]) + len(seps[0]) :].strip()
        else:
            return title
    return title


_TITLE_TAIL = re.compile(r"\s*[¶#§]\s*$")
_REPEATED = re.compile(r"^(.{2,}?)(?:\s+\1)+$")
_TRUNCATED = ("...", "…")


def _words(value: str) -> set[str]:
    return set(_NON_WORD.split(unicodedata.normalize("NFKC", value).casefold())) - {""}


def _title(found: _Found, ld: _Ld, keys: set[str]) -> str | None:
    """The headline: the visible <h1> when the page's own metadata agrees with it.

    Metadata titles (JSON-LD headline, og:title, <title>) are often SEO
    variants of the visible headline; the <h1> is what readers see, but on
    many templates the first <h1> is the logo or a menu.  So the <h1> that
    agrees best with a metadata title is taken (the metadata title instead
    when the <h1> only adds words to it, such as a date or a counter); with no
    agreement, the first <h1> of an article, else the first metadata title.
    """
    metas = [
        _strip_site(t, keys)
        for t in (
            _clean(_ld_first(ld.article, "headline", "name")),
            _meta_first(found, ("og:title",)),
            _clean(found.title_tag),
            _meta_first(found, sel.TITLE_META[1:]),
            _clean(_ld_first(ld.page, "headline", "name")),
        )
        if t
    ]
    metas = [t for t in metas if t and not _is_site(t, keys)]
    # a headline cut at a length limit ("... (Including") yields to its full form
    metas = [
        next(
            (
                full
                for full in metas
                if len(t) >= 60
                and len(full) > len(t)
                and full.startswith(t)
                and not _TITLE_SEPARATORS.match(full, len(t))
            ),
            t,
        )
        for t in metas
    ]
    h1s: list[str] = []
    for raw in found.h1:
        h1 = _clean(raw)
        if h1:
            h1 = _strip_site(_REPEATED.sub(r"\1", _TITLE_TAIL.sub("", h1)), keys)
        if h1 and not _is_site(h1, keys):
            h1s.append(h1)
    best: tuple[float, str, str, bool] | None = None
    for h1 in h1s:
        h1_words = _words(h1)
        for meta in metas:
            meta_words = _words(meta)
            if not h1_words or not meta_words:
                continue
            contained = h1_words <= meta_words or meta_words <= h1_words
            score = len(h1_words & meta_words) / len(h1_words | meta_words) + contained
            if best is None or score > best[0]:
                best = (score, h1, meta, contained)
    if best is not None and best[0] >= 0.5:
        _, h1, meta, contained = best
        meta_words = _words(meta)
        if contained:
            # the <h1> adds a date, a counter or a label to the stated title
            if (
                meta_words < _words(h1)
                and len(meta_words) >= 3
                and not meta.endswith(_TRUNCATED)
            ):
                return meta
            return h1
        # an SEO variant of the headline that three sources state alike wins
        return meta if metas.count(meta) >= 3 else h1
    if metas:
        og_type = _meta_first(found, ("og:type",))
        if h1s and (ld.article or (og_type or "").casefold() == "article"):
            return h1s[0]
        return metas[0]
    return h1s[0] if h1s else None


def _split_names(raw: str) -> list[str]:
    raw = _WS.sub(" ", raw).strip()
    for _ in range(2):
        raw = sel.BYLINE_PREFIX.sub("", raw)
    raw = _AUTHOR_JUNK.sub("", raw)
    names = [n.strip(" ,.:") for n in _AUTHOR_SPLIT.split(raw)]
    out: list[str] = []
    for name in names:
        pieces = [p.strip() for p in name.split(",")]
        if len(pieces) > 1 and all(len(p.split()) >= 2 for p in pieces):
            out.extend(pieces)
        else:
            out.append(name)
    return [sel.BYLINE_PREFIX.sub("", n).strip(" ,.:") for n in out if n]


def _valid_name(name: str, site: set[str]) -> bool:
    if not name or len(name) > 80 or len(name.split()) > 6:
        return False
    if _URLISH.search(name) or _EMAIL.search(name) or name.startswith("@"):
        return False
    if not any(c.isalpha() for c in name):
        return False
    return _norm(name) not in site


def _authors(values: list[str], site: set[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        cleaned = _clean(value)
        if not cleaned:
            continue
        for name in _split_names(cleaned):
            key = _norm(name)
            if key not in seen and _valid_name(name, site):
                seen.add(key)
                out.append(name)
    return out


def _ld_authors(objs: list[dict[str, Any]], found: _Found) -> list[str]:
    names: list[str] = []
    for obj in objs:
        raw = obj.get("author") or obj.get("creator")
        raw = _ld_resolve(raw, found)
        for item in raw if isinstance(raw, list) else [raw]:
            name = _ld_name(item, found)
            if name:
                names.append(name)
    return names


def _ancestors(node: LexborNode, limit: int = 15) -> Iterator[LexborNode]:
    parent = node.parent
    while parent is not None and limit > 0:
        yield parent
        parent = parent.parent
        limit -= 1


def _foreign_marks(attrs: dict[str, str | None]) -> bool:
    """Do an element's class and id say it holds comments, related links, menus...?"""
    marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".casefold()
    if not marks.strip():
        return False
    tokens = marks.split()
    if "footer" in tokens or "site-footer" in tokens:
        return True
    return any(word in _FOREIGN_WORDS for word in _CLASS_WORDS.findall(marks))


_META_BLOCK = re.compile(r"meta|byline|author|date|info")


def _context(node: LexborNode) -> tuple[bool, bool, str]:
    """(in the article, in a foreign block, class words of the nearest ancestors).

    A ``<footer>`` inside an ``<article>`` is the article's own byline area,
    and so is an ``<aside>`` whose class says it holds the post's meta data;
    elsewhere they are the page's footer or a sidebar.  The classes of
    ``<body>`` describe the whole page and are not looked at.
    """
    in_article = False
    pending = False
    marks = ""
    for anc in _ancestors(node):
        tag = anc.tag
        if tag in ("body", "html"):
            break
        attrs = anc.attributes
        classes = (attrs.get("class") or "").casefold()
        if tag in ("article", "main"):
            in_article = True
            pending = False
        elif tag == "nav":
            return in_article, True, marks
        elif tag == "footer" or (tag == "aside" and not _META_BLOCK.search(classes)):
            pending = True
        elif tag == "header":
            in_article = True
        if _foreign_marks(attrs):
            return in_article, True, marks
        if len(marks) < 200:
            marks += f" {classes}"
    return in_article, pending, marks


def _in_foreign_block(node: LexborNode) -> bool:
    return _context(node)[1]


def _byline_authors(found: _Found, site: set[str]) -> list[str]:
    for node in found.bylines:
        tokens = set((node.attributes.get("class") or "").casefold().split())
        if not tokens & sel.BYLINE_CLASS_TOKENS:
            continue
        text = node.text(separator=" ")
        if len(text) > 120 or _in_foreign_block(node):
            continue
        names = _authors([text], site)
        if names:
            return names
    return []


def _author(found: _Found, ld: _Ld, site: set[str]) -> str | None:
    yoast = [
        v
        for i in "12"
        if _clean((found.meta.get(f"twitter:label{i}") or [""])[0]) in ("Written by", "Author")
        for v in found.meta.get(f"twitter:data{i}", [])
    ]
    sources: list[list[str]] = [
        _ld_authors(ld.article, found),
        [v for key in sel.AUTHOR_META for v in found.meta.get(key, ())[:10]],
        yoast,
        found.item_authors,
        found.rel_authors,
    ]
    for values in sources:
        names = _authors(values, site)
        if names:
            return "; ".join(names)
    names = _byline_authors(found, site)
    return "; ".join(names) if names else None


import os
RELAX = os.environ.get("RELAX", "0")
VARIANT = os.environ.get("VARIANT", "0")
DL = os.environ.get("DL", "0") == "1"
_DATE_LABEL_MODIFIED = re.compile(r"updated|modified|revised|aktualisiert|mis à jour|aggiornato", re.I)


def _element_dates(
    found: _Found, day_first: bool
) -> tuple[ParsedDate | None, ParsedDate | None, ParsedDate | None]:
    """Publication and modification dates from dated elements of the article.

    Only ``<time>`` elements and elements whose class says they hold a date
    (``date``, ``published``, ``posted``...) count, outside comments, related
    links, sidebars and footers; a ``<time>`` without such a class counts when
    it sits in the page's only ``<article>``.  Free text is never searched.
    """
    published: ParsedDate | None = None
    modified: ParsedDate | None = None
    shown: ParsedDate | None = None
    for node in found.dated[:40]:
        attrs = node.attributes
        in_article, foreign, anc_marks = _context(node)
        if foreign or _foreign_marks(attrs):
            continue
        marks = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''} {anc_marks}".casefold()
        text = ""
        value = attrs.get("datetime") or attrs.get("content")
        if not value:
            text = node.text(separator=" ")
            if len(text) > 80:
                continue
            value = text
        parsed = parse_date(value, day_first=day_first)
        if parsed is None:
            continue
        shown = shown or parsed
        if _MODIFIED_CLASS.search(marks) or _DATE_LABEL_MODIFIED.search(text):
            modified = modified or parsed
        elif (
            "pubdate" in attrs
            or _PUBLISHED_CLASS.search(marks)
            or (in_article and found.articles <= 1)
            or (RELAX >= "1" and "date" in marks)
            or (RELAX >= "2")
        ):
            published = published or parsed
        if published and modified:
            break
    return published, modified, shown


def _next_elements(node: LexborNode, limit: int) -> Iterator[LexborNode]:
    sibling = node.next
    while sibling is not None and limit > 0:
        if sibling.is_element_node:
            yield sibling
            limit -= 1
        sibling = sibling.next


def _short_date(node: LexborNode, max_len: int, day_first: bool) -> ParsedDate | None:
    text = node.text(separator=" ")
    if len(text) > 4 * max_len:
        return None
    text = _WS.sub(" ", text).strip()
    if len(text) > max_len or _DATE_LABEL_MODIFIED.search(text):
        return None
    return parse_date(text, day_first=day_first)


def _dateline(found: _Found, day_first: bool) -> ParsedDate | None:
    """The date printed in the headline block: next to the <h1>, or in the byline.

    Templates without markup for dates still put the publication date in the
    article's header: the line under the headline ("Dec 26, 2025 · 5 min
    read") or the byline itself ("By Jane Doe - Mar 27, 2024").  Only these
    short lines are read, never the body text.
    """
    for h1 in found.h1_nodes[:1]:
        for anchor in (h1, h1.parent):
            if anchor is None:
                continue
            for sibling in _next_elements(anchor, 2):
                parsed = _short_date(sibling, 80, day_first)
                if parsed:
                    return parsed
    for node in (found.author_nodes + found.bylines)[:5]:
        for anc in (node.parent, node.parent.parent if node.parent else None):
            if anc is not None and anc.tag not in ("body", "html") and not _context(anc)[1]:
                parsed = _short_date(anc, 120, day_first)
                if parsed:
                    return parsed
    return None


#: A <meta> name that states some date but not the publication's (checked last).
_OTHER_DATE_META = re.compile(r"modif|updat|expir|valid|start|end|event|birth|review|revis|last|copyright")


def _generic_date_meta(found: _Found) -> list[str]:
    """Values of unlisted <meta> names that say they hold a publication date.

    CMSs invent their own names (``w-published-date``, ``cludo:date``,
    ``ms.date``); any name containing "publish" or ending in "date" counts,
    unless it names another date (modified, expires, event...).
    """
    values: list[str] = []
    for key, found_values in found.meta.items():
        if ("publish" in key or key.endswith("date")) and not _OTHER_DATE_META.search(key):
            values.extend(found_values[:1])
    return values


@dataclass(slots=True)
class _Dates:
    published: ParsedDate | None
    modified: ParsedDate | None
    #: The date to report: the publication date, else a modification date
    #: that the article itself states (JSON-LD of the article, its dateline).
    day: ParsedDate | None


def _dates(found: _Found, ld: _Ld, day_first: bool) -> _Dates:
    """Publication and modification dates, strongest statement first.

    A page-level ``dateModified`` or ``article:modified_time`` alone does not
    make a date: CMSs stamp them on every page (service pages, products).
    """

    def first(values: list[Any]) -> ParsedDate | None:
        for value in values:
            if isinstance(value, str):
                parsed = parse_date(value, day_first=day_first)
                if parsed:
                    return parsed
        return None

    meta = found.meta
    published = (
        first([o.get("datePublished") or o.get("dateCreated") for o in ld.article])
        or first([v for key in sel.DATE_PUBLISHED_META for v in meta.get(key, ())[:3]])
        or first(found.item_published)
    )
    article_modified = first([o.get("dateModified") for o in ld.article])
    modified = (
        article_modified
        or first([v for key in sel.DATE_MODIFIED_META for v in meta.get(key, ())[:3]])
        or first(found.item_modified)
    )
    element_published, element_modified, shown = _element_dates(found, day_first)
    structured = published
    published = published or element_published
    modified = modified or element_modified
    if published is None:
        published = first(_generic_date_meta(found))
    if published is None and DL:
        published = _dateline(found, day_first)
    if modified is None:
        modified = first([o.get("dateModified") for o in ld.page])
    return _Dates(published, modified, published or article_modified)


def _language(found: _Found, ld: _Ld) -> str | None:
    for raw in (
        found.lang,
        _meta_first(found, ("content-language", "dc.language", "og:locale")),
        _ld_first(ld.article + ld.page, "inLanguage"),
    ):
        if isinstance(raw, str):
            primary = re.split(r"[-_]", raw.strip(), maxsplit=1)[0].casefold()
            if primary.isalpha() and 2 <= len(primary) <= 3:
                return primary
    return None


def _absolute(href: object, url: str | None) -> str | None:
    value = _clean(href)
    if not value:
        return None
    if url:
        value = urljoin(url, value)
    return value if value.startswith(("http://", "https://")) else None


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    return value if isinstance(value, str) else None


def _listed(values: list[Any], split: bool) -> tuple[str, ...]:
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, str):
                continue
            for piece in item.split(",") if split else [item]:
                cleaned = _clean(piece)
                if cleaned and len(cleaned) <= 80 and cleaned.casefold() not in seen:
                    seen.add(cleaned.casefold())
                    out.append(cleaned)
    return tuple(out[:50])


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> Metadata:
    """Read the page's own statements about itself into a :class:`Metadata`.

    ``url`` (the page's address, if known) resolves relative links and lets a
    title drop a suffix that repeats the host's name.  Never raises on a
    parsed tree: broken JSON-LD blocks are skipped and counted in a debug log.
    """
    found = _scan(tree)
    ld = _ld_pick(found)
    sitename = _meta_first(found, sel.SITENAME_META[:1]) or (
        ld.sitenames[0] if ld.sitenames else None
    )
    names = [n for n in (sitename, *ld.sitenames, _meta_first(found, sel.SITENAME_META[1:])) if n]
    site = _site_keys(names, url)
    language = _language(found, ld)
    dates = _dates(found, ld, day_first=language not in (None, "en"))
    published, modified = dates.published, dates.modified
    canonical = _absolute(found.canonical, url) or _absolute(_meta_first(found, ("og:url",)), url)
    meta = found.meta
    return Metadata(
        title=_title(found, ld, site),
        author=_author(found, ld, {_norm(n) for n in names}),
        date=dates.day.day if dates.day else None,
        date_published=published.iso if published else None,
        date_modified=modified.day if modified else None,
        language=language,
        sitename=sitename,
        description=_meta_first(found, sel.DESCRIPTION_META)
        or _clean(_ld_first(ld.article + ld.page, "description")),
        canonical_url=canonical,
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
