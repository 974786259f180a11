"""One pass over the parsed tree: every statement a page makes about itself, unchosen.

Why a module of its own: walking a tree is the expensive part of reading
metadata, so the tree is walked once, by one CSS selector list (:data:`SCAN`)
evaluated in C, and what it returns (``<meta>`` tags, JSON-LD blocks, ``<h1>``,
``<time>``, microdata, bylines, author links, dated elements) is sorted into a
:class:`Found` record.  Choosing among those statements is the job of the
title, author and date modules.  This module also says which blocks of the
page are foreign to the article (:func:`region`): comments, related links,
menus, sidebars, footers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extraction import selectors as sel
from scraper.extraction.jsonld import LdIndex, read_json_ld
from scraper.extraction.strings import clean

__all__ = [
    "SCAN",
    "Found",
    "ancestors",
    "foreign_marks",
    "in_foreign_block",
    "meta_first",
    "region",
    "scan",
]

#: Words in the address of a link to an author's page (what ``AUTHOR_LINK``
#: then checks in full).  Matched case-sensitively: URLs are lower-case.
_AUTHOR_HREF_WORDS = (
    "author",
    "contributor",
    "writer",
    "columnist",
    "reporter",
    "producer",
    "member",
    "/u/",
)
#: Everything the extractor looks at, in one pass over the tree.  A class
#: substring selector costs about 0.075 ms a page (a link one 0.03 ms, the
#: rest next to nothing), so the list is kept short: ``[class*=publish]``
#: and ``[class*=posted]`` were dropped once the dates printed beside the
#: headline were read directly (``datelines.py``); on the WCXB pages no
#: figure moved.  lexbor evaluates each selector of a list on its own, so
#: the link words share one ``a:is(...)``: the same elements, in the same
#: order once :func:`scan` has dropped repeats, for about a sixth less time
#: (a test compares it with the list of ``a[href*=...]`` it replaces).
SCAN = (
    "meta, link[rel], script[type], title, h1, time, [itemprop], a[rel~=author i],"
    " [class*=author i], [class*=byline i], [class*=date i],"
    " a:is(" + ", ".join(f'[href*="{word}"]' for word in _AUTHOR_HREF_WORDS) + ")"
)


@dataclass(slots=True)
class Found:
    """Raw statements gathered in the scan, in document order, before any choice."""

    #: <meta> contents by lower-case name, property, itemprop or http-equiv.
    meta: dict[str, list[str]] = field(default_factory=dict)
    #: The ``lang`` of <html>.
    lang: str | None = None
    #: ``<link rel=canonical>``'s href.
    canonical: str | None = None
    #: The document's <title> (not an inline SVG's).
    title_tag: str | None = None
    #: Text of the first three <h1>, and the elements.
    h1: list[str] = field(default_factory=list)
    h1_nodes: list[LexborNode] = field(default_factory=list)
    #: The JSON-LD blocks.
    ld: LdIndex = field(default_factory=LdIndex)
    #: Microdata author names, publication and modification dates.
    item_authors: list[str] = field(default_factory=list)
    item_published: list[str] = field(default_factory=list)
    item_modified: list[str] = field(default_factory=list)
    #: ``rel=author`` links: their text and the elements.
    rel_authors: list[str] = field(default_factory=list)
    author_nodes: list[LexborNode] = field(default_factory=list)
    #: Links to author pages (``/author/jane-doe/``).
    link_nodes: list[LexborNode] = field(default_factory=list)
    #: Elements whose class says "author" or "byline".
    bylines: list[LexborNode] = field(default_factory=list)
    #: Elements that say they hold a date: <time>, date-ish class or itemprop, bylines.
    dated: list[LexborNode] = field(default_factory=list)


def scan(tree: LexborHTMLParser) -> Found:
    """Gather the page's statements about itself in one walk over ``tree``."""
    found = Found()
    root = tree.root
    if root is not None:
        found.lang = root.attributes.get("lang") or root.attributes.get("xml:lang")
    seen: set[int] = set()
    for node in tree.css(SCAN):
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
                read_json_ld(node.text(), found.ld)
        elif tag == "title":
            # not the <title> of an inline <svg>
            parent = node.parent
            if found.title_tag is None and parent is not None and parent.tag in ("head", "html"):
                found.title_tag = node.text()
        else:
            _scan_element(node, tag or "", attrs, found)
    return found


def _scan_element(node: LexborNode, tag: str, attrs: dict[str, str | None], found: Found) -> None:
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


def _read_itemprop(node: LexborNode, props: list[str], found: Found) -> None:
    """Microdata: ``itemprop=author`` (or its ``name``), ``datePublished``, ``dateModified``."""
    attrs = node.attributes
    if ("author" in props or "creator" in props) and not any(
        _NOT_PAGE_ITEM.search(anc.attributes.get("itemtype") or "") for anc in ancestors(node, 10)
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


def ancestors(node: LexborNode, limit: int = 15) -> Iterator[LexborNode]:
    """The parent, grandparent... of ``node``, at most ``limit`` of them."""
    parent = node.parent
    while parent is not None and limit > 0:
        yield parent
        parent = parent.parent
        limit -= 1


def meta_first(found: Found, keys: tuple[str, ...]) -> str | None:
    """The first non-empty cleaned <meta> value among ``keys``."""
    for key in keys:
        for value in found.meta.get(key, ()):
            cleaned = clean(value)
            if cleaned:
                return cleaned
    return None


# --------------------------------------------------------------------------
# page regions
# --------------------------------------------------------------------------

_META_BLOCK = re.compile(r"meta|byline|author|date|info")
#: A word of ``sel.FOREIGN_WORDS`` as a whole word of a class or id
#: ("related-posts", "commentList" casefolded is one word and does not count).
_FOREIGN_WORD = re.compile(
    r"(?<![a-z0-9])(?:"
    + "|".join(sorted(sel.FOREIGN_WORDS, key=len, reverse=True))
    + r")(?![a-z0-9])"
)


def foreign_marks(attrs: dict[str, str | None]) -> bool:
    """Do an element's class and id say it holds comments, related links, menus...?

    >>> foreign_marks({"class": "related-posts", "id": None})
    True
    >>> foreign_marks({"class": "mainContainer_noSidebar"})
    False
    """
    classes = attrs.get("class")
    ident = attrs.get("id")
    if not classes and not ident:
        return False
    marks = f"{classes or ''} {ident or ''}".casefold()
    if _FOREIGN_WORD.search(marks) is not None:
        return True
    tokens = marks.split()
    return "footer" in tokens or "site-footer" in tokens


def region(node: LexborNode) -> tuple[bool, str]:
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
        if foreign_marks(attrs):
            return True, marks
        if len(marks) < 200:
            marks += f" {classes}"
        current = current.parent
    return pending, marks


def in_foreign_block(node: LexborNode) -> bool:
    """Is ``node`` inside comments, related links, a menu, a sidebar or the footer?"""
    return region(node)[0]
