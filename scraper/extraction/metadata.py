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
    " a[rel~=author i], [class*=author i], [class*=byline i]"
)

#: JSON-LD is reached through these keys when it describes the page itself.
_MAIN_VIA = frozenset({"", "@graph", "mainentity", "mainentityofpage"})

#: class/id words of containers whose dates and names are not the article's.
_FOREIGN = re.compile(
    r"comment|related|sidebar|widget|footer|recommend|popular|trending|teaser|"
    r"newsletter|promo|share|breadcrumb|(?<![a-z])nav|menu|card|reply|review",
    re.IGNORECASE,
)
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
    ld_main: list[tuple[frozenset[str], dict[str, Any]]] = field(default_factory=list)
    ld_ids: dict[str, dict[str, Any]] = field(default_factory=dict)
    ld_broken: int = 0
    item_authors: list[str] = field(default_factory=list)
    item_published: list[str] = field(default_factory=list)
    item_modified: list[str] = field(default_factory=list)
    item_headline: list[str] = field(default_factory=list)
    rel_authors: list[str] = field(default_factory=list)
    bylines: list[LexborNode] = field(default_factory=list)
    times: list[LexborNode] = field(default_factory=list)
    articles: int = 0


def _scan(tree: LexborHTMLParser) -> _Found:
    found = _Found()
    root = tree.root
    if root is not None:
        found.lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
    for node in tree.css(_SCAN):
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
        elif tag == "time":
            found.times.append(node)
        elif tag == "article":
            found.articles += 1
        itemprop = attrs.get("itemprop")
        if itemprop:
            _read_itemprop(node, itemprop.casefold().split(), found)
        rel = attrs.get("rel")
        if tag == "a" and rel and "author" in rel.casefold().split():
            found.rel_authors.append(node.text(separator=" "))
        classes = attrs.get("class")
        if classes and ("author" in classes.casefold() or "byline" in classes.casefold()):
            found.bylines.append(node)
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
    and ``blog``.
    """
    keys = {_norm(name) for name in sitenames}
    host = urlsplit(url).hostname if url else None
    if host:
        labels = [label for label in host.casefold().split(".") if label]
        if len(labels) > 1:
            labels.pop()
            if len(labels) > 1 and labels[-1] in _SECOND_LEVEL:
                labels.pop()
        labels = [label for label in labels if label not in _HOST_PREFIXES]
        keys.update(_norm(label) for label in labels)
        keys.add(_norm("".join(labels)))
    keys.discard("")
    return keys


def _is_site(part: str, keys: set[str]) -> bool:
    """Is this piece of a title the site's name (``"Le Monde"`` for ``lemonde.fr``)?"""
    norm = _norm(part)
    if not norm:
        return True
    if norm in keys:
        return True
    words = [_norm(w) for w in part.split()]
    words = [w for w in words if w]
    if not words or len(words) > 6:
        return False
    # "UVA SCPS", "U.S. Small Business Administration" for sba.gov: initials
    if len(words) >= 3 and "".join(w[0] for w in words if w not in ("of", "the", "and")) in keys:
        return True
    named = [w for w in words if w not in _SITE_WORDS]
    if not named:
        return False
    return all(
        any((len(w) >= 3 and w in k) or (len(k) >= 3 and k in w) for k in keys) for w in named
    )


def _strip_site(title: str, keys: set[str]) -> str:
    """Drop a ``" | Site"`` suffix or ``"Site: "`` prefix when that part is the site's name."""
    for _ in range(2):
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) < 2:
            return title
        seps = _TITLE_SEPARATORS.findall(title)
        if _is_site(parts[-1], keys):
            cut = title.rfind(seps[-1])
            title = title[:cut].strip()
        elif _is_site(parts[0], keys):
            title = title[title.find(seps[0]) + len(seps[0]) :].strip()
        else:
            return title
    return title


_TITLE_TAIL = re.compile(r"\s*[¶#§]\s*$")
_TRUNCATED = ("...", "…")


def _words(value: str) -> set[str]:
    return set(_NON_WORD.split(unicodedata.normalize("NFKC", value).casefold())) - {""}


def _agreement(a: str, b: str) -> float:
    """Word overlap of two titles (Jaccard), 1.0 when one contains the other."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    if wa <= wb or wb <= wa:
        return 1.0
    return len(wa & wb) / len(wa | wb)


def _title(found: _Found, ld: _Ld, keys: set[str]) -> str | None:
    """The headline: the visible <h1> when the page's own metadata agrees with it.

    Metadata titles (JSON-LD headline, og:title, <title>) are often SEO
    variants of the visible headline; the <h1> is what readers see, but on
    many templates the first <h1> is the logo or a menu.  So an <h1> is taken
    when it agrees with a metadata title, or when the page is an article and
    the <h1> is not the site's name; otherwise the best metadata title.
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
    h1s: list[str] = []
    for raw in found.h1:
        h1 = _clean(raw)
        if h1:
            h1 = _strip_site(_TITLE_TAIL.sub("", h1), keys)
        if h1 and not _is_site(h1, keys):
            h1s.append(h1)
    best, best_score = None, 0.0
    for h1 in h1s:
        score = max((_agreement(h1, m) for m in metas), default=0.0)
        if score > best_score:
            best, best_score = h1, score
    if best is not None and best_score >= 0.5:
        return best
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


def _in_foreign_block(node: LexborNode) -> bool:
    for anc in _ancestors(node):
        if anc.tag in ("aside", "footer", "nav"):
            return True
        attrs = anc.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if marks.strip() and _FOREIGN.search(marks):
            return True
    return False


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


def _time_dates(found: _Found, day_first: bool) -> tuple[ParsedDate | None, ParsedDate | None]:
    """Publication and modification dates from ``<time>`` elements of the article."""
    published: ParsedDate | None = None
    modified: ParsedDate | None = None
    for node in found.times[:20]:
        attrs = node.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''}".casefold()
        in_article = False
        foreign = False
        for anc in _ancestors(node):
            if anc.tag in ("article", "header", "main"):
                in_article = True
            elif anc.tag in ("aside", "footer", "nav"):
                foreign = True
                break
            anc_attrs = anc.attributes
            anc_marks = f"{anc_attrs.get('class') or ''} {anc_attrs.get('id') or ''}"
            if _FOREIGN.search(anc_marks):
                foreign = True
                break
            if len(marks) < 200:
                marks += " " + anc_marks.casefold()
        if foreign:
            continue
        value = attrs.get("datetime") or node.text()
        parsed = parse_date(value, day_first=day_first) if value else None
        if parsed is None:
            continue
        if _MODIFIED_CLASS.search(marks):
            modified = modified or parsed
        elif "pubdate" in attrs or _PUBLISHED_CLASS.search(marks) or (
            in_article and found.articles <= 1
        ):
            published = published or parsed
        if published and modified:
            break
    return published, modified


def _dates(
    found: _Found, ld: _Ld, day_first: bool
) -> tuple[ParsedDate | None, ParsedDate | None]:
    def first(values: list[Any]) -> ParsedDate | None:
        for value in values:
            if isinstance(value, str):
                parsed = parse_date(value, day_first=day_first)
                if parsed:
                    return parsed
        return None

    published = (
        first([o.get("datePublished") or o.get("dateCreated") for o in ld.article])
        or first([v for key in sel.DATE_PUBLISHED_META for v in found.meta.get(key, ())[:3]])
        or first(found.item_published)
    )
    modified = first([o.get("dateModified") for o in ld.article]) or first(
        [v for key in sel.DATE_MODIFIED_META for v in found.meta.get(key, ())[:3]]
    ) or first(found.item_modified)
    if published is None:
        time_published, time_modified = _time_dates(found, day_first)
        published = time_published
        modified = modified or time_modified
    if published is None:
        published = first([o.get("datePublished") for o in ld.page])
    return published, modified


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
    published, modified = _dates(found, ld, day_first=language not in (None, "en"))
    canonical = _absolute(found.canonical, url) or _absolute(_meta_first(found, ("og:url",)), url)
    meta = found.meta
    return Metadata(
        title=_title(found, ld, site),
        author=_author(found, ld, {_norm(n) for n in names}),
        date=published.day if published else None,
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
